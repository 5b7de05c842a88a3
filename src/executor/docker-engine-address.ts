// Where the Docker engine listens: a flag or DOCKER_HOST (unix:// or tcp://), else the default socket.
import type { DockerOptions } from 'dockerode';

export function dockerOptions(address: string | undefined): DockerOptions | string {
  if (!address) return { socketPath: '/var/run/docker.sock' };
  if (address.startsWith('unix://')) return { socketPath: address.slice('unix://'.length) || '/var/run/docker.sock' };
  if (address.startsWith('/')) return { socketPath: address };
  const m = /^(tcp|http|https):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(address);
  if (!m) return `unsupported Docker engine address ${JSON.stringify(address)} (use unix:///path or tcp://host:port)`;
  const protocol = m[1] === 'https' ? 'https' : 'http';
  return { protocol, host: m[2]!.replace(/^\[|\]$/g, ''), port: m[3] ? Number(m[3]) : protocol === 'https' ? 2376 : 2375 };
}
