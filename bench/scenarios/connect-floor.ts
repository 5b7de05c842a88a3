// What one fresh loopback connection costs a Node process that does nothing else: the floor
// under vai's tcp and http checks, measured in the same run so the gap is vai's own overhead.
// Measured after a warm-up (see the fixture), back to back: a daemon whose checks come one at a
// time pays more, for waking up (docs/performance.md). keepalive-get is the floor of a check
// that reuses one connection, which vai does not do (a fresh connection is what proves the
// service still accepts them, as kubelet and monit do).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { figure, type Figure } from '../lib/figure.js';
import { startPortFarm } from '../lib/port-farm-client.js';
import { readCpuPreciseMs } from '../lib/proc-stat.js';
import { trackPid } from '../lib/reaper.js';

const FLOOR = fileURLToPath(new URL('../fixtures/connect-floor.js', import.meta.url));
type Mode = 'tcp' | 'net-http' | 'http-get' | 'keepalive-get';

function runOnce(mode: Mode, port: number, count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLOOR, mode, String(port), String(count)], { stdio: ['pipe', 'pipe', 'inherit'] });
    if (child.pid) trackPid(child.pid, FLOOR);
    let before = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`connect-floor ${mode} did not finish within 120 s`));
    }, 120_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      if (d.includes('ready')) {
        before = readCpuPreciseMs(child.pid as number);
        child.stdin.write('go\n');
      }
      if (d.includes('done')) {
        const after = readCpuPreciseMs(child.pid as number);
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve((after - before) / count);
      }
    });
  });
}

export async function runConnectFloor(rounds: number, perRound: number): Promise<Figure[]> {
  const farm = startPortFarm();
  const figs: Figure[] = [];
  try {
    const [tcpPort] = await farm.listen('tcp', 1);
    const [httpPort] = await farm.listen('http', 1);
    for (const mode of ['tcp', 'net-http', 'http-get', 'keepalive-get'] as const) {
      const samples: number[] = [];
      for (let i = 0; i < rounds; i++) samples.push(await runOnce(mode, (mode === 'tcp' ? tcpPort : httpPort) as number, perRound));
      figs.push(
        figure('Node client floor', 'baseline', `CPU per ${mode} connection`, 'ms', samples, {
          notes: [`${rounds} rounds of ${perRound} sequential ${mode === 'keepalive-get' ? 'GETs on one connection' : 'fresh connections'} by a Node process doing nothing else, after 300 unmeasured`],
        }),
      );
    }
  } finally {
    farm.stop();
  }
  return figs;
}
