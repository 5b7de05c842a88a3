// The floor under every MTTR figure: how long the service under test takes from being spawned
// to its first answer, with no supervisor involved.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { figure, type Figure } from '../lib/figure.js';
import { askPid } from '../lib/poller.js';
import { freePort } from '../lib/ports.js';
import { trackPid } from '../lib/reaper.js';
import { serviceProgram } from '../lib/service-binary.js';

export async function runServiceStart(samples: number): Promise<Figure[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vai-bench-'));
  const times: number[] = [];
  try {
    const [file, ...pre] = serviceProgram().argv as [string, ...string[]];
    for (let i = 0; i < samples; i++) {
      const port = await freePort();
      const t0 = performance.now();
      const child = spawn(file, [...pre, String(port), path.join(dir, `s${i}.pid`), String(process.pid)], { stdio: 'ignore' });
      if (child.pid) trackPid(child.pid, dir);
      const deadline = t0 + 30_000;
      for (;;) {
        const pid = await askPid(port, 500);
        if (pid === child.pid) break;
        if (performance.now() > deadline) throw new Error('service did not answer within 30 s');
        await new Promise((r) => setTimeout(r, 2));
      }
      times.push(performance.now() - t0);
      child.kill('SIGKILL');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [figure('service start (no supervisor)', 'baseline', 'spawn to first answer', 'ms', times, { notes: [`baseline: the restart floor for both supervisors (${serviceProgram().kind} service)`] })];
}
