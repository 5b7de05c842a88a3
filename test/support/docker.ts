// The Docker engine for Docker tests: the private one scripts/test.sh started
// (VAI_TEST_DOCKER_HOST), or, when a test file runs alone as root, one started here with
// test/support/docker-engine.sh and stopped by its pid afterwards. Outside CI a missing engine
// skips the tests with the reason; under CI (CI=true) it fails them.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';

const run = promisify(execFile);
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'docker-engine.sh');

export interface TestEngine {
  host: string;
  image: string;
  docker: Docker;
  /** Stops the engine if this process started it. */
  stop(): Promise<void>;
}

export type EngineOrSkip = { engine: TestEngine } | { skip: string };

export async function testEngine(): Promise<EngineOrSkip> {
  const fromEnv = process.env.VAI_TEST_DOCKER_HOST;
  if (fromEnv) return { engine: make(fromEnv, process.env.VAI_TEST_DOCKER_IMAGE ?? 'vai-test-busybox:latest', async () => {}) };
  if (process.getuid?.() !== 0) return unavailable('not root: the private dockerd needs root');
  try {
    const { stdout } = await run('bash', [script, 'up'], { timeout: 120_000 });
    const vars = Object.fromEntries(stdout.trim().split('\n').map((l) => l.split('=', 2) as [string, string]));
    const dir = vars.VAI_TEST_DOCKER_DIR!;
    return { engine: make(vars.VAI_TEST_DOCKER_HOST!, vars.VAI_TEST_DOCKER_IMAGE!, async () => void (await run('bash', [script, 'down', dir], { timeout: 60_000 }))) };
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return unavailable(`cannot start a private dockerd: ${(err.stderr || err.message).trim().split('\n').slice(-3).join(' | ')}`);
  }
}

function make(host: string, image: string, stop: () => Promise<void>): TestEngine {
  return { host, image, docker: new Docker({ socketPath: host.replace(/^unix:\/\//, '') }), stop };
}

function unavailable(reason: string): EngineOrSkip {
  if (process.env.CI === 'true') throw new Error(`Docker tests need an engine under CI: ${reason}`);
  return { skip: reason };
}

/** Creates and starts a container with no network, returning its name. */
export async function runContainer(
  engine: TestEngine,
  name: string,
  script: string,
  extra: Partial<Docker.ContainerCreateOptions> = {},
): Promise<Docker.Container> {
  const c = await engine.docker.createContainer({
    name,
    Image: engine.image,
    Cmd: ['sh', '-c', script],
    HostConfig: { NetworkMode: 'none', AutoRemove: false },
    ...extra,
  });
  await c.start();
  return c;
}

/** Runs a command in a container the way a person would check by hand, returning stdout. */
export async function execText(container: Docker.Container, cmd: string[]): Promise<string> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', resolve);
    stream.on('close', resolve);
  });
  // Strip the 8-byte multiplexing headers.
  const raw = Buffer.concat(chunks);
  const out: Buffer[] = [];
  for (let i = 0; i + 8 <= raw.length; ) {
    const size = raw.readUInt32BE(i + 4);
    if (raw[i] === 1) out.push(raw.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(out).toString('utf8');
}
