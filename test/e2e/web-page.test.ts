// The status page in headless Chromium, fed with fixture documents: the table, live updates from
// the event stream, the detail view, the token prompt and a phone-sized screen. The same page
// against a real vaid and a killed service is in web-vaid.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { startWebServer, type WebServer } from '../../src/web/server.js';
import { chromiumMissing, launchChromium } from './web-browser.js';
import { serviceStatus, statusDocument, StatusFeed } from './web-fixtures.js';

const ARTIFACTS = 'test-artifacts';
const skip = chromiumMissing();
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
const servers: WebServer[] = [];

before(async () => {
  if (skip) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await Promise.all(servers.map((s) => s.close()));
});

function fleet() {
  const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();
  return statusDocument([
    serviceStatus('api', { restarts: { count: 2, lastAt: ago(300), lastReason: 'HTTP 503 from http://127.0.0.1:8080/health, 3 consecutive failures' } }),
    serviceStatus('db', {
      phase: 'CrashLoopBackOff',
      consecutiveFailures: 6,
      lastCheck: { at: ago(2), health: 'unhealthy', reason: 'ConnectionRefused', latencyMs: 0.8, message: 'connect ECONNREFUSED 127.0.0.1:5432' },
      conditions: [
        { type: 'Healthy', status: 'False', reason: 'ConnectionRefused', message: 'connect ECONNREFUSED 127.0.0.1:5432', lastTransitionTime: ago(400), observedGeneration: 1 },
        { type: 'BackOff', status: 'True', reason: 'CrashLoop', message: '3 failed recoveries in 300s; next attempt in 40s', lastTransitionTime: ago(100), observedGeneration: 1 },
      ],
      backoff: { failures: [ago(300), ago(200), ago(100)], delaySeconds: 40, nextAttemptAt: new Date(Date.now() + 40_000).toISOString(), healthySince: null },
      events: [
        { type: 'Warning', reason: 'RecoveryFailed', message: 'still unhealthy 5s after restart_cmd: connect ECONNREFUSED 127.0.0.1:5432', count: 3, firstTime: ago(300), lastTime: ago(100) },
        { type: 'Warning', reason: 'BackOff', message: 'crash loop: next attempt in 40s', count: 1, firstTime: ago(100), lastTime: ago(100) },
      ],
    }),
    serviceStatus('worker', { phase: 'WaitingForDependency' }),
    serviceStatus('batch', { desired: 'Stopped', phase: 'Stopped', lastCheck: null }),
  ]);
}

async function open(url: string, viewport?: { width: number; height: number }): Promise<{ page: Page; problems: string[] }> {
  const page = await browser!.context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('requestfailed', (r) => { if (!r.url().endsWith('/api/events')) problems.push(`request failed: ${r.url()}`); });
  await page.goto(url);
  return { page, problems };
}

const phaseOf = (page: Page, name: string) => page.locator(`tr[data-service="${name}"] [data-phase]`).getAttribute('data-phase');

test('the table shows every service with its phase, restarts and last check, and follows changes live', { skip }, async () => {
  const feed = new StatusFeed(fleet());
  const server = await startWebServer({ listen: '127.0.0.1:0', getStatus: feed.getStatus, subscribe: feed.subscribe });
  servers.push(server);
  const { page, problems } = await open(server.url);
  await page.waitForSelector('tr[data-service="api"]');
  assert.deepEqual(await page.locator('#services tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-service'))), ['api', 'batch', 'db', 'worker']);
  assert.equal(await phaseOf(page, 'db'), 'CrashLoopBackOff');
  assert.match((await page.locator('tr[data-service="api"] td[data-restarts]').textContent()) ?? '', /^2 \(5m ago\)$/);
  await page.locator('#live.on').waitFor();
  await page.screenshot({ path: `${ARTIFACTS}/web-page-table.png`, fullPage: true });

  // Healthy -> Recovering -> Healthy, pushed by the server; the page is never reloaded.
  const seen: string[] = [];
  for (const phase of ['Recovering', 'Healthy'] as const) {
    const doc = structuredClone(feed.doc);
    doc.services.api!.phase = phase;
    if (phase === 'Healthy') doc.services.api!.restarts.count = 3;
    feed.set(doc);
    await page.locator(`tr[data-service="api"] [data-phase="${phase}"]`).waitFor({ timeout: 10_000 });
    seen.push((await phaseOf(page, 'api'))!);
  }
  assert.deepEqual(seen, ['Recovering', 'Healthy']);
  assert.match((await page.locator('tr[data-service="api"] td[data-restarts]').textContent()) ?? '', /^3 /);

  // A service added and one removed by a manifest change.
  const doc = structuredClone(feed.doc);
  doc.services.cache = serviceStatus('cache');
  delete doc.services.batch;
  feed.set(doc);
  await page.locator('tr[data-service="cache"]').waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('tr[data-service="batch"]').count(), 0);
  assert.deepEqual(problems, []);

  // vaid goes away: the page says so instead of showing stale data as live.
  await server.close();
  await page.locator('#live.off').waitFor({ timeout: 15_000 });
  assert.match((await page.locator('#live').textContent()) ?? '', /reconnecting/);
  await page.close();
});

test('the detail view shows conditions and events like vaictl describe', { skip }, async () => {
  const feed = new StatusFeed(fleet());
  const server = await startWebServer({ listen: '127.0.0.1:0', getStatus: feed.getStatus, subscribe: feed.subscribe });
  servers.push(server);
  const { page, problems } = await open(server.url);
  await page.locator('tr[data-service="db"]').click();
  await page.locator('#detail[data-service="db"]').waitFor();
  const text = (await page.locator('#detail').textContent()) ?? '';
  assert.match(text, /CrashLoopBackOff since/);
  assert.match(text, /3 failures in window, delay 40s, next attempt in \d+s/);
  const conditions = await page.locator('#conditions tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent)));
  assert.deepEqual(conditions, [['Healthy', 'False', 'ConnectionRefused'], ['BackOff', 'True', 'CrashLoop']]);
  const events = await page.locator('#events tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
  assert.equal(events[0]![1], 'BackOff', 'newest event first');
  assert.match(events[1]![2]!, /\(x3 over 5m\)/);
  await page.screenshot({ path: `${ARTIFACTS}/web-page-detail.png`, fullPage: true });
  await page.goBack();
  await page.locator('#services').waitFor();
  assert.deepEqual(problems, []);
  await page.close();
});

test('on a phone-sized screen the table fits without sideways scrolling', { skip }, async () => {
  const feed = new StatusFeed(fleet());
  const server = await startWebServer({ listen: '127.0.0.1:0', getStatus: feed.getStatus, subscribe: feed.subscribe });
  servers.push(server);
  const { page, problems } = await open(server.url, { width: 390, height: 844 });
  await page.locator('tr[data-service="db"]').waitFor();
  // A string, not a function: this file is compiled without the DOM types.
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
  await page.screenshot({ path: `${ARTIFACTS}/web-page-phone.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('with a token the page asks for it once, then shows the status', { skip }, async () => {
  const token = 'page-token-0123456789abcdef';
  const feed = new StatusFeed(fleet());
  const server = await startWebServer({ listen: '127.0.0.1:0', token, getStatus: feed.getStatus, subscribe: feed.subscribe });
  servers.push(server);
  const { page } = await open(server.url);
  await page.locator('#login:not([hidden])').waitFor();
  assert.equal(await page.locator('tr[data-service]').count(), 0, 'nothing shown before the token');
  await page.fill('#token', token);
  await page.click('#login button');
  await page.locator('tr[data-service="db"]').waitFor();
  assert.equal(await page.locator('#login').isHidden(), true);
  await page.close();
});

test('manifest errors are listed with file, line and column above the table', { skip }, async () => {
  const doc = fleet();
  doc.manifests.errors = [{ code: 'VAI_E_MANIFEST_SCHEMA', file: '/etc/vai/manifests/db.yaml', line: 7, column: 5, path: 'spec.health_check.port', message: 'must be <= 65535' }];
  const feed = new StatusFeed(doc);
  const server = await startWebServer({ listen: '127.0.0.1:0', getStatus: feed.getStatus, subscribe: feed.subscribe });
  servers.push(server);
  const { page, problems } = await open(server.url);
  await page.locator('#problems li').waitFor();
  assert.equal(await page.locator('#problems li').textContent(), '/etc/vai/manifests/db.yaml:7:5 spec.health_check.port: must be <= 65535 [VAI_E_MANIFEST_SCHEMA]');
  const fixed = structuredClone(feed.doc);
  fixed.manifests.errors = [];
  feed.set(fixed);
  await page.locator('#problems li').waitFor({ state: 'detached', timeout: 10_000 });
  assert.deepEqual(problems, []);
  await page.close();
});
