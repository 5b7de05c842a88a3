// A real Alertmanager (Debian's prometheus-alertmanager) on 127.0.0.1 for the alertmanager
// sink's tests: its own config and storage in a temp dir, clustering off, stopped by pid.
// Without the binary the caller skips with the reason, except under CI where it fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './vaid.js';
import { waitFor } from './wait.js';

export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[] };
}

export interface Alertmanager {
  url: string;
  /** GET /api/v2/alerts (active, silenced and inhibited; resolved ones are not listed). */
  alerts(): Promise<AmAlert[]>;
  /** POST /api/v2/silences: returns the silence id. */
  silence(matchers: Record<string, string>, minutes: number, comment: string): Promise<string>;
  stop(): Promise<void>;
  output(): string;
}

export function alertmanagerMissing(): string | null {
  return existsSync(ALERTMANAGER_BIN) ? null : `${ALERTMANAGER_BIN} is missing (apt-get install prometheus-alertmanager)`;
}

export async function startAlertmanager(configYaml: string): Promise<Alertmanager> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vai-am-'));
  writeFileSync(path.join(dir, 'alertmanager.yml'), configYaml);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    ALERTMANAGER_BIN,
    [`--config.file=${path.join(dir, 'alertmanager.yml')}`, `--storage.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const api = async (p: string, init?: RequestInit) => {
    const r = await fetch(`${url}${p}`, init);
    if (!r.ok) throw new Error(`${p}: HTTP ${r.status} ${await r.text()}`);
    return r.json() as Promise<unknown>;
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => (await fetch(`${url}/-/ready`).then((r) => r.ok).catch(() => false)) || child.exitCode !== null, { what: 'alertmanager ready', timeoutMs: 30_000 });
    if (child.exitCode !== null) throw new Error(`alertmanager exited: ${out}`);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url,
    alerts: async () => (await api('/api/v2/alerts')) as AmAlert[],
    silence: async (matchers, minutes, comment) => {
      const now = Date.now();
      const body = {
        matchers: Object.entries(matchers).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true })),
        startsAt: new Date(now - 1000).toISOString(),
        endsAt: new Date(now + minutes * 60_000).toISOString(),
        createdBy: 'vai-test',
        comment,
      };
      const r = (await api('/api/v2/silences', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })) as { silenceID: string };
      return r.silenceID;
    },
    stop,
    output: () => out,
  };
}
