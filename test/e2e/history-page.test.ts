// The status page's history in headless Chromium: 90 days of a known timeline written through
// the real recorder and writer into a real SQLite file, served by the real web server with the
// history routes. The uptime strips (90 daily / 48 hourly bars, coloured by failed time, a
// tooltip per bar), the latency chart, the incident timeline, the badges and /api/history.
// The screenshots go to test-artifacts/; VAI_UPDATE_SCREENSHOTS=1 writes them to docs/img/ (the ones
// README shows), so a run of the suite leaves the checkout clean.
import { test, after } from 'node:test';
import { mkdirSync } from 'node:fs';
import assert from 'node:assert/strict';
import { startWebServer, type WebServer } from '../../src/web/server.js';
import { historyRoutes } from '../../src/web/history-routes.js';
import { chromiumMissing, launchChromium } from './web-browser.js';
import { StatusFeed } from './web-fixtures.js';
import { testdir } from '../support/testdir.js';
import { waitFor } from '../support/wait.js';
import { openTimeline, runTimeline } from '../support/history-timeline.js';

const SHOTS = process.env.VAI_UPDATE_SCREENSHOTS === '1' ? 'docs/img' : 'test-artifacts';

const skip = chromiumMissing();
const HOUR = 3_600_000;
const DAY = 86_400_000;
const servers: WebServer[] = [];
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
const dir = testdir({}, 'vai-history-page-');
after(async () => {
  await browser?.close();
  await Promise.all(servers.map((s) => s.close()));
  dir.remove();
});

test('the page shows 90-day and 48-hour uptime strips with a tooltip per bar, a latency chart and the incident timeline', { skip }, async () => {
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const start = now - 90 * DAY;
  mkdirSync(dir.join('state'));
  const tl = openTimeline(dir.join('state/history.db'), start);
  const wave = (period: number, base: number, amp: number) => (t: number) => base + amp * (1 + Math.sin((2 * Math.PI * t) / period));
  await runTimeline(
    tl,
    [
      { name: 'api', intervalMs: 5 * 60_000, outages: [[now - 40 * DAY, 30 * 60_000], [now - 6 * HOUR, 10 * 60_000]], latencyMs: wave(DAY, 4, 3) },
      { name: 'db', intervalMs: 5 * 60_000, outages: [[now - 70 * DAY, 6 * HOUR], [now - 12 * DAY, 2 * HOUR], [now - 30 * HOUR, 20 * 60_000]], latencyMs: wave(DAY / 2, 1, 0.5) },
      { name: 'minio', intervalMs: 5 * 60_000, latencyMs: wave(7 * DAY, 12, 8) },
    ],
    now,
    DAY,
  );
  await tl.recorder.close();
  const feed = new StatusFeed(tl.doc);
  const server = await startWebServer({ listen: '127.0.0.1:0', getStatus: feed.getStatus, subscribe: feed.subscribe, extraRoutes: historyRoutes({ stateDir: dir.join('state'), getStatus: feed.getStatus }) });
  servers.push(server);

  const api = (await (await fetch(`${server.url}/api/history?service=db&since=90d`)).json()) as { kind: string; items: { service: string; durationMs: number }[] };
  assert.equal(api.kind, 'HistoryList');
  assert.deepEqual(api.items.map((i) => i.durationMs), [20 * 60_000, 2 * HOUR, 6 * HOUR]);
  const badge = await (await fetch(`${server.url}/badges/api/uptime/7d.svg`)).text();
  assert.match(badge, /<text[^>]*>uptime 7d<\/text><text[^>]*>99\.\d\d%<\/text>/);
  assert.match(await (await fetch(`${server.url}/badges/minio/health.svg`)).text(), />healthy</);
  assert.equal((await fetch(`${server.url}/badges/..%2fetc/health.svg`)).status, 404);

  if (!browser) browser = await launchChromium({ width: 1100, height: 820 });
  const page = await browser.context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  await page.goto(server.url);
  await page.waitForSelector('tr[data-service="db"] svg.strip');
  assert.equal(await page.locator('tr[data-service="db"] svg.strip rect').count(), 90);
  // The day of the 6 h outage is red; a day without one green.
  const dayOf = (t: number) => Math.floor(t / DAY) - Math.floor((now - 89 * DAY) / DAY);
  const fill = (svc: string, i: number) => page.locator(`tr[data-service="${svc}"] svg.strip rect`).nth(i).getAttribute('fill');
  assert.equal(await fill('db', dayOf(now - 70 * DAY + HOUR)), '#cf222e');
  assert.equal(await fill('minio', 40), '#2da44e');
  const tip = await page.locator('tr[data-service="db"] svg.strip rect').nth(dayOf(now - 70 * DAY + HOUR)).locator('title').textContent();
  assert.match(tip ?? '', /^\d{4}-\d\d-\d\d: \d+\.\d\d% up, \d+ s down, \d+ checks, \d+ failed$/);

  await page.click('.toggle button[data-range="48h"]');
  // Waits from the test side, not page.waitForFunction('…'): a string predicate is eval()ed in
  // the page once its first look fails, which the page's CSP (no 'unsafe-eval') refuses.
  const bars = () => page.locator('tr[data-service="db"] svg.strip rect').count();
  await waitFor(async () => (await bars()) === 48, { what: '48 hourly bars' });
  await page.click('.toggle button[data-range="90d"]');
  await waitFor(async () => (await bars()) === 90, { what: '90 daily bars' });
  await page.screenshot({ path: `${SHOTS}/status-page-history.png` });

  await page.click('tr[data-service="db"] a');
  await page.waitForSelector('#detail svg.latency');
  assert.ok(Number(await page.locator('#detail svg.latency').getAttribute('data-points')) > 50);
  await page.waitForSelector('#incidents tbody tr');
  const rows = await page.locator('#incidents tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  assert.equal(rows.length, 2, 'the incidents of the last 30 days');
  assert.equal(rows[0]![1], '20m0s');
  assert.equal(rows[0]![2], 'recovery');
  await page.click('.toggle button[data-range="7d"]');
  await waitFor(async () => (await page.locator('#detail svg.latency').getAttribute('aria-label'))?.includes('7 d'), { what: 'the 7 d latency chart' });
  await page.screenshot({ path: `${SHOTS}/status-page-history-detail.png`, fullPage: true });
  assert.deepEqual(problems, []);
});
