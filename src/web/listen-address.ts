// Parsing `--listen host:port` and deciding whether it is reachable only from this host.
import net from 'node:net';
import { VaiError } from '../errors.js';

export interface ListenAddress {
  host: string;
  port: number;
  loopback: boolean;
}

/** Accepts `127.0.0.1:9753`, `[::1]:9753`, `localhost:9753`, `0.0.0.0:9753`, `:9753` (loopback). Port 0 picks a free port. */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  if (!m) throw new VaiError('VAI_E_USAGE', `--listen "${text}": expected HOST:PORT, e.g. 127.0.0.1:9753 or [::1]:9753`);
  const host = m[1] ?? (m[2] === '' ? '127.0.0.1' : m[2]!);
  const port = Number(m[3]);
  if (port > 65535) throw new VaiError('VAI_E_USAGE', `--listen "${text}": port ${port} is out of range (0-65535)`);
  if (m[1] !== undefined && net.isIPv6(host) === false) throw new VaiError('VAI_E_USAGE', `--listen "${text}": "${host}" in brackets is not an IPv6 address`);
  return { host, port, loopback: isLoopbackHost(host) };
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/** The host part of a Host header, without port and brackets. */
export function hostHeaderName(header: string | undefined): string {
  if (!header) return '';
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(header);
  if (m) return m[1]!;
  return header.replace(/:\d+$/, '');
}
