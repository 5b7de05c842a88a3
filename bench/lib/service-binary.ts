// The service under test is compiled from fixtures/http-service.c when a C compiler is there
// (it starts in about a millisecond); otherwise the Node twin, which takes tens to hundreds of
// milliseconds to start on a busy machine and says so in the results.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('../../../bench/fixtures/http-service.c', import.meta.url));
const BINARY = fileURLToPath(new URL('../fixtures/http-service-bin', import.meta.url));
const NODE_TWIN = fileURLToPath(new URL('../fixtures/http-service.js', import.meta.url));

export interface ServiceProgram {
  /** argv prefix; PORT PID_FILE BENCH_PID follow. */
  argv: string[];
  kind: 'c' | 'node';
}

let cached: ServiceProgram | undefined;

export function serviceProgram(): ServiceProgram {
  if (cached) return cached;
  try {
    const fresh = existsSync(BINARY) && statSync(BINARY).mtimeMs >= statSync(SOURCE).mtimeMs;
    if (!fresh) {
      mkdirSync(path.dirname(BINARY), { recursive: true });
      execFileSync('cc', ['-O2', '-o', BINARY, SOURCE], { stdio: ['ignore', 'ignore', 'pipe'] });
    }
    cached = { argv: [BINARY], kind: 'c' };
  } catch {
    cached = { argv: [process.execPath, NODE_TWIN], kind: 'node' };
  }
  return cached;
}
