// The web endpoint fed with fixture status documents (no daemon): metrics agree with status,
// the event stream delivers changes, secrets never leave, and the security rules hold.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { createDaemonMetrics } from '../../src/web/daemon-metrics.js';
import { fetchStatus, watchStatus, sseParser } from '../../src/web/client.js';
import { startWebServer, type WebServer } from '../../src/web/server.js';
import { isVaiError } from '../../src/errors.js';
import { PHASES, type StatusDocument } from '../../src/status/schema.js';
import { waitFor } from '../support/wait.js';
import { serviceStatus, statusDocument, StatusFeed } from './web-fixtures.js';
import { parsePrometheus } from './web-prometheus.js';

const TOKEN = 'test-token-0123456789abcdef';
const servers: WebServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(feed: StatusFeed, extra: Partial<Parameters<typeof startWebServer>[0]> = {}): Promise<WebServer> {
  const s = await startWebServer({ listen: '127.0.0.1:0', getStatus: feed.getStatus, subscribe: feed.subscribe, ...extra });
  servers.push(s);
  return s;
}

function fixture(): StatusDocument {
  return statusDocument([
    serviceStatus('api', { restarts: { count: 3, lastAt: new Date().toISOString(), lastReason: 'HTTP 503' }, counters: { checks: 120, failedChecks: 7, recoveriesAttempted: 4, recoveriesSucceeded: 3 } }),
    serviceStatus('db', {
      phase: 'CrashLoopBackOff',
      consecutiveFailures: 5,
      lastCheck: { at: new Date().toISOString(), health: 'unhealthy', reason: 'ConnectionRefused', latencyMs: 1.5, message: 'connect ECONNREFUSED 127.0.0.1:5432' },
      backoff: { failures: [], delaySeconds: 40, nextAttemptAt: new Date(Date.now() + 40_000).toISOString(), healthySince: null },
    }),
    serviceStatus('batch', { desired: 'Stopped', phase: 'Stopped', lastCheck: null }),
  ]);
}

/** One raw request, so tests can send what fetch() would not (any Host header, any method). */
function raw(url: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the fixture is a valid status document (so these tests speak the daemon\'s format)', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync('schemas/status.schema.json', 'utf8')));
  assert.ok(validate(fixture()), JSON.stringify(validate.errors));
});

test('/metrics parses as Prometheus text and its values are those of the status document', async () => {
  const feed = new StatusFeed(fixture());
  const daemon = createDaemonMetrics();
  daemon.queueDepth.set(4);
  daemon.statusWrites.inc(9);
  daemon.reconcileDuration.observe({ result: 'ok' }, 0.02);
  const s = await serve(feed, { extraMetrics: daemon.registry, beforeScrape: () => daemon.startProcessMetrics() });
  const res = await fetch(`${s.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const m = parsePrometheus(await res.text());
  const doc = feed.doc;
  for (const svc of Object.values(doc.services)) {
    const service = svc.name;
    assert.equal(m.value('vai_service_up', { service }), svc.lastCheck?.health === 'healthy' ? 1 : 0, `up of ${service}`);
    for (const phase of PHASES) assert.equal(m.value('vai_service_phase', { service, phase }), svc.phase === phase ? 1 : 0, `${service} ${phase}`);
    assert.equal(m.value('vai_service_desired_running', { service }), svc.desired === 'Running' ? 1 : 0);
    assert.equal(m.value('vai_service_checks_total', { service }), svc.counters.checks);
    assert.equal(m.value('vai_service_checks_failed_total', { service }), svc.counters.failedChecks);
    assert.equal(m.value('vai_service_restarts_total', { service }), svc.restarts.count);
    assert.equal(m.value('vai_service_recoveries_attempted_total', { service }), svc.counters.recoveriesAttempted);
    assert.equal(m.value('vai_service_recoveries_succeeded_total', { service }), svc.counters.recoveriesSucceeded);
    assert.equal(m.value('vai_service_consecutive_failures', { service }), svc.consecutiveFailures);
    assert.equal(m.value('vai_service_backoff_delay_seconds', { service }), svc.backoff.delaySeconds);
    if (svc.lastCheck) assert.equal(m.value('vai_service_last_check_latency_seconds', { service }), svc.lastCheck.latencyMs / 1000);
    else assert.equal(m.find('vai_service_last_check_latency_seconds', { service }).length, 0);
  }
  assert.equal(m.types.get('vai_service_checks_total'), 'counter');
  assert.equal(m.types.get('vai_service_check_latency_seconds'), 'histogram');
  assert.equal(m.value('vai_service_check_latency_seconds_count', { service: 'api' }), 1);
  assert.equal(m.value('vai_manifest_generation'), doc.manifests.generation);
  assert.equal(m.value('vai_manifest_errors'), 0);
  assert.equal(m.value('vai_alerts_outbox_size'), doc.alerts.outboxSize);
  assert.equal(m.value('vai_alerts_dropped_total'), doc.alerts.dropped);
  assert.equal(m.value('vaid_start_time_seconds'), Date.parse(doc.vaid.startedAt) / 1000);
  assert.equal(m.value('vai_build_info', { version: '0.1.0', hostname: 'vps1' }), 1);
  assert.equal(m.value('vai_queue_depth'), 4, 'daemon metric served');
  assert.equal(m.value('vai_status_writes_total'), 9);
  assert.equal(m.value('vai_reconcile_duration_seconds_count', { result: 'ok' }), 1);
  assert.ok(m.find('process_resident_memory_bytes').length === 1, 'process metrics of vaid');

  // A change of status shows at the next scrape: a service recovers, another is removed.
  const next = structuredClone(doc);
  next.services.db!.phase = 'Healthy';
  next.services.db!.counters.checks += 1;
  delete next.services.batch;
  feed.set(next);
  const m2 = parsePrometheus(await (await fetch(`${s.url}/metrics`)).text());
  assert.equal(m2.value('vai_service_phase', { service: 'db', phase: 'Healthy' }), 1);
  assert.equal(m2.value('vai_service_checks_total', { service: 'db' }), doc.services.db!.counters.checks + 1);
  assert.equal(m2.find('vai_service_up', { service: 'batch' }).length, 0, 'a removed service leaves no series behind');
});

test('/api/status serves the document uncached; /healthz answers; unknown paths are 404', async () => {
  const feed = new StatusFeed(fixture());
  const s = await serve(feed);
  const res = await fetch(`${s.url}/api/status`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.deepEqual(await res.json(), feed.doc);
  assert.equal((await raw(`${s.url}/healthz`)).body, 'ok\n');
  let problem: string | null = 'no reconcile finished for 120s';
  const sick = await serve(feed, { healthChecks: [{ name: 'reconcile-loop', check: () => problem }] });
  const r = await raw(`${sick.url}/healthz`);
  assert.deepEqual([r.status, r.body], [503, '[-]reconcile-loop failed: no reconcile finished for 120s\nhealthz check failed\n']);
  problem = null;
  assert.equal((await raw(`${sick.url}/healthz`)).status, 200);
  assert.equal((await raw(`${s.url}/nope`)).status, 404);
  assert.equal((await raw(`${s.url}/api/status`, { method: 'HEAD' })).status, 200);
  // A large document is gzipped for clients that accept it (fetch does, and unpacks it).
  const big = statusDocument(Array.from({ length: 100 }, (_, i) => serviceStatus(`svc-${i}`)));
  const bigServer = await serve(new StatusFeed(big));
  const zipped = await raw(`${bigServer.url}/api/status`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(zipped.headers['content-encoding'], 'gzip');
  assert.ok(Number(zipped.headers['content-length']) < JSON.stringify(big).length / 5);
  assert.deepEqual(await fetchStatus(bigServer.url), big);
  assert.equal((await raw(`${bigServer.url}/api/status`)).headers['content-encoding'], undefined);
});

test('the event stream sends a snapshot, then each status change as a patch', async (t) => {
  const feed = new StatusFeed(fixture());
  const s = await serve(feed);
  const ac = new AbortController();
  const seen: StatusDocument[] = [];
  const watching = watchStatus(s.url, undefined, (d) => seen.push(structuredClone(d)), ac.signal);
  await waitFor(() => seen.length === 1, { what: 'snapshot' });
  assert.deepEqual(seen[0], feed.doc);

  const next = structuredClone(feed.doc);
  next.services.api!.phase = 'Recovering';
  next.services.api!.restarts.count = 4;
  const sent = performance.now();
  feed.set(next);
  // Pushed as it happens, not at a poll: the delay is reported (bench/ measures speed, not tests).
  await waitFor(() => seen.length === 2, { what: 'patch', timeoutMs: 60_000, intervalMs: 5 });
  t.diagnostic(`change delivered in ${(performance.now() - sent).toFixed(1)} ms`);
  assert.deepEqual(seen[1], next, 'the patched document equals the new status');

  feed.set(structuredClone(next));
  feed.set(fixture());
  await waitFor(() => seen.length === 3, { what: 'second patch' });
  assert.equal(seen[2]!.services.api!.phase, 'Healthy');
  ac.abort();
  await watching;
});

test('secrets in check messages never leave through /api/status, /api/events or /metrics', async () => {
  const doc = fixture();
  doc.services.api!.lastCheck!.message = 'HTTP 503 from http://admin:hunter2secret@127.0.0.1:9000/health?token=tok3nvalue&x=1';
  doc.services.api!.restarts.lastReason = 'Authorization: Bearer abcdefSECRET12345 rejected';
  const feed = new StatusFeed(doc);
  const s = await serve(feed);
  const status = await (await fetch(`${s.url}/api/status`)).text();
  const events = await new Promise<string>((resolve, reject) => {
    http.get(`${s.url}/api/events`, (res) => {
      res.setEncoding('utf8');
      let body = '';
      res.on('data', (c: string) => {
        body += c;
        if (body.includes('\n\n', body.indexOf('event: snapshot'))) { res.destroy(); resolve(body); }
      });
    }).on('error', reject);
  });
  const metrics = await (await fetch(`${s.url}/metrics`)).text();
  for (const [what, text] of [['status', status], ['events', events], ['metrics', metrics]] as const) {
    for (const secret of ['hunter2secret', 'tok3nvalue', 'abcdefSECRET12345']) assert.ok(!text.includes(secret), `${secret} in ${what}`);
  }
  assert.match(status, /http:\/\/\*\*\*@127\.0\.0\.1:9000\/health\?token=\*\*\*&x=1/, 'the rest of the message stays readable');
});

test('refuses a non-loopback address without a token, and a short token', async () => {
  const feed = new StatusFeed(fixture());
  await assert.rejects(serve(feed, { listen: '0.0.0.0:0' }), (e) => isVaiError(e, 'VAI_E_WEB_INSECURE') && /VAI_WEB_TOKEN/.test(e.message));
  await assert.rejects(serve(feed, { listen: '[::]:0' }), (e) => isVaiError(e, 'VAI_E_WEB_INSECURE'));
  await assert.rejects(serve(feed, { listen: '0.0.0.0:0', token: 'short' }), (e) => isVaiError(e, 'VAI_E_WEB_INSECURE'));
  await assert.rejects(serve(feed, { listen: 'localhost' }), (e) => isVaiError(e, 'VAI_E_USAGE'));
  assert.equal(feed.subscribers, 0, 'a refused server leaves no subscription behind');
});

test('a port in use is a clear error', async () => {
  const feed = new StatusFeed(fixture());
  const s = await serve(feed);
  const port = new URL(s.url).port;
  await assert.rejects(serve(feed, { listen: `127.0.0.1:${port}` }), (e) => isVaiError(e, 'VAI_E_WEB_LISTEN') && e.message.includes('EADDRINUSE'));
});

test('with a token, the API and metrics want it; the page and /healthz do not', async () => {
  const feed = new StatusFeed(fixture());
  const s = await serve(feed, { listen: '0.0.0.0:0', token: TOKEN });
  const url = s.url.replace('0.0.0.0', '127.0.0.1');
  for (const p of ['/api/status', '/api/events', '/metrics']) {
    const r = await raw(`${url}${p}`);
    assert.equal(r.status, 401, p);
    assert.equal(r.headers['www-authenticate'], 'Bearer realm="vai"');
    assert.equal((await raw(`${url}${p}`, { headers: { Authorization: 'Bearer wrong-token-0123456789' } })).status, 401, `${p} wrong token`);
  }
  assert.equal((await raw(`${url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status, 200);
  assert.equal((await raw(`${url}/`)).status, 200);
  assert.equal((await raw(`${url}/healthz`)).status, 200);
  assert.equal((await fetchStatus(url, TOKEN)).manifests.generation, 7);
  await assert.rejects(fetchStatus(url), (e) => isVaiError(e, 'VAI_E_REMOTE') && /VAI_WEB_TOKEN/.test(e.message));
});

test('read-only: every method but GET and HEAD is refused; a foreign Host is refused without a token', async () => {
  const feed = new StatusFeed(fixture());
  const s = await serve(feed);
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
    const r = await raw(`${s.url}/api/status`, { method });
    assert.equal(r.status, 405, method);
    assert.equal(r.headers.allow, 'GET, HEAD');
  }
  // DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1.
  assert.equal((await raw(`${s.url}/api/status`, { headers: { Host: 'evil.example:80' } })).status, 403);
  assert.equal((await raw(`${s.url}/api/status`, { headers: { Host: `localhost:${new URL(s.url).port}` } })).status, 200);
});

test('security headers on every answer; static files revalidate with an ETag', async () => {
  const feed = new StatusFeed(fixture());
  const s = await serve(feed);
  for (const p of ['/', '/app.js', '/style.css', '/api/status', '/metrics', '/nope']) {
    const r = await raw(`${s.url}${p}`);
    assert.equal(r.headers['x-content-type-options'], 'nosniff', p);
    assert.match(String(r.headers['content-security-policy']), /default-src 'self'/, p);
    assert.equal(r.headers['x-frame-options'], 'DENY', p);
  }
  const page = await raw(`${s.url}/`);
  assert.match(page.body, /<script src="\/app\.js"/);
  assert.doesNotMatch(page.body, /https?:\/\//, 'no external fonts or scripts');
  const again = await raw(`${s.url}/`, { headers: { 'If-None-Match': String(page.headers.etag) } });
  assert.equal(again.status, 304);
});

test('the event stream has a bound on clients and sheds them on close', async () => {
  const feed = new StatusFeed(fixture());
  const s = await serve(feed, { eventStream: { maxClients: 2 } });
  const open: http.ClientRequest[] = [];
  const first = (n: number) => new Promise<string>((resolve) => {
    const req = http.get(`${s.url}/api/events`, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        resolve(`HTTP ${res.statusCode} retry after ${res.headers['retry-after']}`);
        return;
      }
      res.setEncoding('utf8');
      const parse = sseParser((event) => resolve(event));
      res.on('data', parse);
    });
    req.on('error', () => {});
    open[n] = req;
  });
  assert.equal(await first(0), 'snapshot');
  assert.equal(await first(1), 'snapshot');
  assert.equal(await first(2), 'HTTP 503 retry after 10');
  open[0]!.destroy();
  await waitFor(async () => (await first(3)) === 'snapshot', { what: 'a slot freed by a closed client' });
  for (const r of open) r?.destroy();
});

test('fetchStatus names the host it cannot reach and refuses what is not a vai status', async () => {
  const s = await serve(new StatusFeed(fixture()));
  const port = new URL(s.url).port;
  await s.close();
  await assert.rejects(fetchStatus(`http://127.0.0.1:${port}`), (e) => isVaiError(e, 'VAI_E_REMOTE') && /127\.0\.0\.1/.test(e.message) && /ECONNREFUSED/.test(e.message));
  const other = http.createServer((_req, res) => res.end('{"hello":1}'));
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  try {
    const { port: p } = other.address() as { port: number };
    await assert.rejects(fetchStatus(`127.0.0.1:${p}`), (e) => isVaiError(e, 'VAI_E_REMOTE') && /not answer a vai status/.test(e.message));
    await assert.rejects(fetchStatus(`http://u:p@127.0.0.1:${p}`), (e) => isVaiError(e, 'VAI_E_USAGE'));
  } finally {
    other.closeAllConnections();
    await new Promise((r) => other.close(r));
  }
});
