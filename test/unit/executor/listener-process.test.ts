// The listener lookup against real processes and the real /proc: which pid listens on a check's
// loopback port, and the probe that watches it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { findListenerProcesses, listenerInode, listenerTableReads, TABLE_REUSE_MS, loopbackPortOf, parseListenLines, parseStat, probeWatched, readListeners } from '../../../src/executor/listener-process.js';
import { LocalExecutor } from '../../../src/executor/local-executor.js';
import { healthCheck, target } from './target.js';
import { testdir } from '../../support/testdir.js';
import { startGroup, startHttpService } from '../../support/services/processes.js';
import { waitFor } from '../../support/wait.js';

const dir = testdir();
after(() => dir.remove());

// Three listeners (127.0.0.1:8080, 0.0.0.0:9000, [::]:7000 in tcp6) and an established connection.
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0
   1: 00000000:2328 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 222 1 0000000000000000 100 0 0 10 0
   2: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 333 1 0000000000000000 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1B58 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 444 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:1B59 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 555 1 0000000000000000 100 0 0 10 0
`;

test('the LISTEN lines of /proc/net/tcp{,6} are read up to the first other state', () => {
  const v4 = parseListenLines(TCP, 4);
  assert.equal(v4.complete, true);
  assert.deepEqual(v4.entries, [
    { family: 4, address: '127.0.0.1', port: 8080, inode: 111 },
    { family: 4, address: '0.0.0.0', port: 9000, inode: 222 },
  ]);
  const v6 = parseListenLines(TCP6, 6).entries;
  assert.deepEqual(
    v6.map((e) => [e.port, e.inode, e.address]),
    [
      [7000, 444, '0'.repeat(32)],
      [7001, 555, `${'0'.repeat(31)}1`],
    ],
  );
});

test('a listener table longer than a page is read whole, once, up to its first other state', () => {
  const header = TCP.split('\n')[0]!;
  const line = (i: number, st: string) => `${String(i).padStart(4)}: 0100007F:${(10_000 + i).toString(16).toUpperCase()} 00000000:0000 ${st} 00000000:00000000 00:00000000 00000000     0        0 ${1000 + i} 1 0000000000000000 100 0 0 10 0`;
  // 600 LISTEN lines (~90 KB, several 16 KB reads, lines cut at page ends), then established ones.
  const lines = [header, ...Array.from({ length: 600 }, (_, i) => line(i, '0A')), ...Array.from({ length: 50 }, (_, i) => line(600 + i, '01'))];
  dir.write('longproc/net/tcp', `${lines.join('\n')}\n`);
  const entries = readListeners(dir.join('longproc'));
  assert.equal(entries.length, 600);
  assert.deepEqual(entries[0], { family: 4, address: '127.0.0.1', port: 10_000, inode: 1000 });
  assert.deepEqual(entries[599], { family: 4, address: '127.0.0.1', port: 10_599, inode: 1599 });
  assert.equal(new Set(entries.map((e) => e.inode)).size, 600, 'no line parsed twice or lost at a page end');
});

test('the socket a check would reach: exact address, then the wildcard, then dual-stack ::', () => {
  const entries = [...parseListenLines(TCP, 4).entries, ...parseListenLines(TCP6, 6).entries];
  const to = (endpoint: string) => {
    const p = loopbackPortOf(healthCheck({ type: 'http', endpoint }));
    assert.equal(typeof p, 'object', String(p));
    return listenerInode(entries, p as Exclude<typeof p, string>);
  };
  assert.equal(to('http://127.0.0.1:8080/health'), 111);
  assert.equal(to('http://127.0.0.1:9000/'), 222);
  assert.equal(to('http://localhost:7000/'), 444);
  assert.equal(to('http://127.0.0.1:7000/'), 444);
  assert.equal(to('http://[::1]:7001/'), 555);
  assert.equal(to('http://[::1]:8080/'), null, 'a v4-only listener does not take ::1');
  assert.equal(to('http://127.0.0.1:1234/'), null);
});

test('only loopback http/tcp checks have a port to watch', () => {
  assert.deepEqual(loopbackPortOf(healthCheck({ type: 'tcp', port: 5432 })), { family: 4, address: '127.0.0.1', port: 5432 });
  assert.match(String(loopbackPortOf(healthCheck({ type: 'http', endpoint: 'http://10.0.0.5:80/' }))), /not a loopback address/);
  assert.match(String(loopbackPortOf(healthCheck({ type: 'process', process_name: 'x' }))), /no port/);
});

test('a real service: its pid is found from the port its check connects to, and watched until it dies', async () => {
  const svc = await startHttpService(dir.path);
  try {
    const ex = new LocalExecutor();
    const found = await ex.findListeners([
      target('web', { health_check: healthCheck({ type: 'http', endpoint: svc.url() }) }, dir.path),
      target('raw', { health_check: healthCheck({ type: 'tcp', host: 'localhost', port: svc.port }) }, dir.path),
    ]);
    const web = found.get('web');
    assert.equal(web?.kind, 'found');
    assert.equal(web.kind === 'found' && web.process.pid, svc.pid);
    assert.equal(web.kind === 'found' && web.process.what, `listener on 127.0.0.1:${svc.port}`);
    const raw = found.get('raw');
    assert.equal(raw?.kind === 'found' && raw.process.pid, svc.pid, 'localhost reaches the 127.0.0.1 listener');
    const watched = web.kind === 'found' ? web.process : null;
    assert.ok(watched);
    assert.equal(ex.probeProcess(watched), 'alive');
    assert.equal(ex.probeProcess({ ...watched, startTime: watched.startTime + 1 }), 'dead', 'a reused pid is not the process watched');
    process.kill(svc.pid, 'SIGKILL');
    await waitFor(() => ex.probeProcess(watched) === 'dead', { what: 'the killed service to probe dead' });
  } finally {
    await svc.kill();
  }
});

test('nothing listens, or the host is not loopback: none, with or without a later retry', async () => {
  const ex = new LocalExecutor();
  const found = await findListenerProcesses([
    { name: 'down', check: healthCheck({ type: 'tcp', port: 1 }) },
    { name: 'far', check: healthCheck({ type: 'http', endpoint: 'http://192.0.2.1/' }) },
  ]);
  assert.deepEqual(found.get('down'), { kind: 'none', reason: 'nothing listens on 127.0.0.1:1', retry: true });
  const far = found.get('far');
  assert.equal(far?.kind === 'none' && far.retry, false, 'never retried: it can never have a local listener');
  assert.equal((await ex.findListeners([])).size, 0);
});

test('a zombie is dead to the watch, as to the pid_file probe', async () => {
  const pidFile = dir.join('zombie.pid');
  const p = startGroup('bash', ['-c', `sleep 0 & echo $! > ${pidFile}; exec sleep 1000`]);
  try {
    const zpid = await waitFor(() => Number(readFileSync(pidFile, 'utf8')) || false, { what: 'zombie pid file' });
    const stat = await waitFor(() => {
      const s = parseStat(readFileSync(`/proc/${zpid}/stat`, 'latin1'));
      return s?.state === 'Z' ? s : false;
    }, { what: 'child to become a zombie' });
    assert.equal(probeWatched({ pid: zpid, startTime: stat.startTime, what: 'test' }), 'dead');
  } finally {
    await p.kill();
  }
});

test('lookups in a row share one read of the listener table; a service restarted on its port is still found at once', async () => {
  const first = await startHttpService(dir.path);
  let second: Awaited<ReturnType<typeof startHttpService>> | undefined;
  try {
    const q = [{ name: 'web', check: healthCheck({ type: 'tcp', port: first.port }) }];
    const pidOf = async () => {
      const r = (await findListenerProcesses(q)).get('web');
      return r?.kind === 'found' ? r.process.pid : null;
    };
    assert.equal(await pidOf(), first.pid);
    const reads = listenerTableReads();
    const started = performance.now();
    for (let i = 0; i < 20; i++) assert.equal(await pidOf(), first.pid);
    // Reads cost ~2 ms of kernel time each; on a slow run the reuse window may lapse once or twice.
    const lapsed = Math.floor((performance.now() - started) / TABLE_REUSE_MS);
    assert.ok(listenerTableReads() - reads <= 1 + lapsed, `${listenerTableReads() - reads} table reads for 20 lookups`);
    await first.kill();
    second = await startHttpService(dir.path, ['--port', String(first.port)]);
    assert.equal(await pidOf(), second.pid, 'the new listener, not the gone one from the reused table');
  } finally {
    await first.kill();
    await second?.kill();
  }
});
