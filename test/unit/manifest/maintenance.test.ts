// kind: Maintenance: validation with positions, and windows in time on the test clock, a cron
// across both DST changes of Europe/Berlin included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFileText } from '../../../src/manifest/load-file.js';
import { nextWindowChange, openWindow, parseWindowDuration, windowCovers, type DesiredMaintenance } from '../../../src/manifest/maintenance-window.js';
import type { MaintenanceSpec } from '../../../src/manifest/schema.js';
import { parseLabelSelector } from '../../../src/manifest/label-selector.js';
import { testClock } from '../../../src/core/clock.js';

const doc = (schedule: string, extra = '') => `apiVersion: vai/v1
kind: Maintenance
metadata:
  name: nightly
spec:
  schedule:
${schedule}
  selector:
    names: [db]
    labels: tier=web
${extra}`;

function load(text: string) {
  return loadFileText(text, '/m/maint.yaml');
}

function spec(schedule: MaintenanceSpec['schedule']): MaintenanceSpec {
  return { schedule, selector: { names: ['db'] }, mode: 'silence' } as MaintenanceSpec;
}

test('a valid Maintenance manifest loads with defaults (mode silence)', () => {
  const r = load(doc('    cron: "0 3 * * *"\n    duration: 2h\n    time_zone: Europe/Berlin'));
  assert.deepEqual(r.errors, []);
  assert.equal(r.definitions[0]?.kind, 'Maintenance');
  assert.equal((r.definitions[0]?.spec as MaintenanceSpec).mode, 'silence');
});

test('errors name the file, line, column and field, with a "did you mean"', () => {
  const r = load(doc('    cron: "0 3 * * *"\n    duraton: 2h'));
  const unknown = r.errors.find((e) => e.message.includes('unknown field "duraton"'));
  assert.ok(unknown, JSON.stringify(r.errors));
  assert.match(unknown.message, /did you mean "duration"/);
  assert.deepEqual([unknown.file, unknown.line, unknown.column], ['/m/maint.yaml', 8, 5]);
  const mode = load(doc('    cron: "0 3 * * *"\n    duration: 2h', '  mode: pasue\n'));
  assert.match(mode.errors[0]!.message, /must be one of silence, pause, got "pasue".*did you mean "pause"/);
  assert.equal(mode.errors[0]!.line, 12);
});

test('schedule rules: a bad cron, an unknown zone, a window without its pair, an end before its start', () => {
  const cron = load(doc('    cron: "61 3 * * *"\n    duration: 2h'));
  assert.equal(cron.errors[0]?.path, 'spec.schedule.cron');
  assert.equal(cron.errors[0]?.line, 7);
  const zone = load(doc('    cron: "0 3 * * *"\n    duration: 2h\n    time_zone: Europe/Berlim'));
  assert.match(zone.errors[0]!.message, /unknown time zone "Europe\/Berlim"/);
  assert.match(load(doc('    cron: "0 3 * * *"')).errors[0]!.message, /missing required field "duration"/);
  assert.match(load(doc('    start: 2026-12-24T22:00:00+01:00')).errors[0]!.message, /missing required field "end"/);
  assert.match(load(doc('    start: 2026-12-24T22:00:00\n    end: 2026-12-25T02:00:00+01:00')).errors[0]!.message, /with its offset/);
  assert.match(load(doc('    start: 2026-12-25T22:00:00Z\n    end: 2026-12-25T02:00:00Z')).errors[0]!.message, /must be after start/);
  assert.match(load(doc('    cron: "0 3 * * *"\n    duration: 2h\n    start: 2026-12-25T22:00:00Z')).errors[0]!.message, /not both/);
  assert.equal(load(doc('    cron: "0 3 * * *"\n    duration: 0m')).errors[0]?.path, 'spec.schedule.duration');
});

test('durations', () => {
  assert.equal(parseWindowDuration('1h30m'), 5_400_000);
  assert.equal(parseWindowDuration('1d'), 86_400_000);
  assert.equal(parseWindowDuration('2 h'), null);
});

test('a fixed window is open from start (inclusive) to end (exclusive)', () => {
  const s = spec({ start: '2026-12-24T22:00:00+01:00', end: '2026-12-25T02:00:00+01:00' });
  const start = Date.parse('2026-12-24T21:00:00Z');
  assert.equal(openWindow(s, start - 1), null);
  assert.equal(nextWindowChange(s, start - 1), start);
  assert.deepEqual(openWindow(s, start), { start, end: start + 4 * 3_600_000 });
  assert.equal(nextWindowChange(s, start), start + 4 * 3_600_000);
  assert.equal(openWindow(s, start + 4 * 3_600_000), null);
  assert.equal(nextWindowChange(s, start + 4 * 3_600_000), null);
});

test('a cron window in Europe/Berlin opens at 03:00 local time across the March and October DST changes (test clock)', () => {
  const s = spec({ cron: '0 3 * * *', duration: '1h', time_zone: 'Europe/Berlin' });
  const clock = testClock(Date.parse('2026-03-28T00:00:00Z'));
  const openAt = (iso: string) => openWindow(s, Date.parse(iso));
  // Saturday before the change: CET (UTC+1), 03:00 local = 02:00Z.
  assert.equal(openAt('2026-03-28T01:59:59Z'), null);
  assert.deepEqual(openAt('2026-03-28T02:30:00Z'), { start: Date.parse('2026-03-28T02:00:00Z'), end: Date.parse('2026-03-28T03:00:00Z') });
  // Sunday 29 March 02:00 local jumps to 03:00 CEST (UTC+2): 03:00 local = 01:00Z.
  clock.advance(Date.parse('2026-03-29T01:30:00Z') - clock.now());
  assert.deepEqual(openWindow(s, clock.now()), { start: Date.parse('2026-03-29T01:00:00Z'), end: Date.parse('2026-03-29T02:00:00Z') });
  clock.advance(3_600_000);
  assert.equal(openWindow(s, clock.now()), null, 'closed at 02:30Z: the summer window ended at 02:00Z');
  assert.equal(nextWindowChange(s, clock.now()), Date.parse('2026-03-30T01:00:00Z'));
  // Sunday 25 October 03:00 CEST goes back to 02:00 CET: 03:00 local that day is 02:00Z again.
  assert.equal(openAt('2026-10-24T02:30:00Z'), null, 'still summer time on Saturday: the window was 01:00Z-02:00Z');
  assert.ok(openAt('2026-10-24T01:30:00Z'));
  assert.deepEqual(openAt('2026-10-25T02:30:00Z'), { start: Date.parse('2026-10-25T02:00:00Z'), end: Date.parse('2026-10-25T03:00:00Z') });
  assert.equal(openAt('2026-10-25T01:30:00Z'), null);
});

test('a window that lasts longer than the gap between two starts stays open from one to the next', () => {
  const s = spec({ cron: '0,10 * * * *', duration: '15m' });
  const t = Date.parse('2026-01-01T00:12:00Z');
  assert.deepEqual(openWindow(s, t), { start: Date.parse('2026-01-01T00:00:00Z'), end: Date.parse('2026-01-01T00:25:00Z') });
  assert.equal(nextWindowChange(s, t), Date.parse('2026-01-01T00:25:00Z'));
});

test('a window covers the services it names and those its labels match', () => {
  const m: DesiredMaintenance = { name: 'w', spec: { ...spec({ start: '2026-01-01T00:00:00Z', end: '2026-01-02T00:00:00Z' }), selector: { names: ['db'], labels: 'tier=web' } } as MaintenanceSpec, labelSelector: parseLabelSelector('tier=web'), source: { file: 'f', line: 1, column: 1 } };
  assert.equal(windowCovers(m, 'db', {}), true);
  assert.equal(windowCovers(m, 'api', { tier: 'web' }), true);
  assert.equal(windowCovers(m, 'api', { tier: 'db' }), false);
});

/** The windows opened between from and to, walking the virtual clock from one change to the next. */
function opensBetween(s: MaintenanceSpec, from: string, to: string): string[] {
  const out: string[] = [];
  let t = Date.parse(from);
  for (let i = 0; i < 1_000; i++) {
    const next = nextWindowChange(s, t);
    if (next === null || next > Date.parse(to)) break;
    const w = openWindow(s, next);
    if (w && w.start === next) out.push(`${new Date(w.start).toISOString()}/${new Date(w.end).toISOString()}`);
    t = next;
  }
  return out;
}

test('the last Sunday of March and October (SUN#L) in Europe/Berlin: the window opens at 01:00 local on the DST day and lasts its duration in real time', () => {
  const s = spec({ cron: '0 1 * 3,10 SUN#L', duration: '3h', time_zone: 'Europe/Berlin' });
  // 29 March 2026 01:00 CET = 00:00Z; 3 h later is 03:00Z (05:00 CEST: the wall clock jumped).
  // 25 October 2026 01:00 CEST = 24 Oct 23:00Z; 3 h later is 02:00Z (03:00 CET: it went back).
  assert.deepEqual(opensBetween(s, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'), ['2026-03-29T00:00:00.000Z/2026-03-29T03:00:00.000Z', '2026-10-24T23:00:00.000Z/2026-10-25T02:00:00.000Z']);
  assert.equal(openWindow(s, Date.parse('2026-03-22T00:30:00Z')), null, 'not on an earlier Sunday');
  assert.equal(nextWindowChange(s, Date.parse('2026-03-29T03:00:00Z')), Date.parse('2026-10-24T23:00:00Z'));
});

test('a cron time that the March change skips opens once, an hour later; one the October change repeats opens once', () => {
  const s = spec({ cron: '30 2 * * *', duration: '20m', time_zone: 'Europe/Berlin' });
  // 02:30 does not exist on 29 March (02:00 CET -> 03:00 CEST): the window opens at 03:30 CEST.
  assert.deepEqual(opensBetween(s, '2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z'), ['2026-03-29T01:30:00.000Z/2026-03-29T01:50:00.000Z']);
  // 02:30 happens twice on 25 October (CEST, then CET): one window, at the second.
  assert.deepEqual(opensBetween(s, '2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z'), ['2026-10-25T01:30:00.000Z/2026-10-25T01:50:00.000Z']);
  // The day after each change: 02:30 local in the new offset.
  assert.deepEqual(opensBetween(s, '2026-03-29T12:00:00Z', '2026-03-30T12:00:00Z'), ['2026-03-30T00:30:00.000Z/2026-03-30T00:50:00.000Z']);
});

test('a day-of-week written 0L (Quartz "last Sunday") is refused: croner would read it as every Sunday', () => {
  const r = load(doc('    cron: "0 1 * 3,10 0L"\n    duration: 3h\n    time_zone: Europe/Berlin'));
  assert.equal(r.errors[0]?.path, 'spec.schedule.cron');
  assert.match(r.errors[0]!.message, /SUN#L/);
});

test('asked in time order (each answer remembered until the window next opens or closes), a window answers as when asked afresh, across both DST changes', () => {
  // One spec object is remembered between calls; a copy per call is asked from scratch.
  const schedules: MaintenanceSpec['schedule'][] = [
    { cron: '30 2 * * *', duration: '1h', time_zone: 'Europe/Berlin' },
    { cron: '0 1 * * SUN#L', duration: '3h', time_zone: 'Europe/Berlin' },
    { cron: '15 */4 * * *', duration: '45m', time_zone: 'America/New_York' },
  ];
  for (const [from, to] of [
    [Date.UTC(2026, 2, 28, 12), Date.UTC(2026, 2, 30)],
    [Date.UTC(2026, 9, 24, 12), Date.UTC(2026, 9, 26)],
    [Date.UTC(2026, 2, 7, 12), Date.UTC(2026, 2, 9, 12)],
  ] as const) {
    for (const schedule of schedules) {
      const kept = spec(schedule);
      const differ: string[] = [];
      for (let t = from; t < to; t += 7 * 60_000) {
        const fresh = () => spec({ ...schedule });
        const a = openWindow(kept, t);
        const b = openWindow(fresh(), t);
        if (JSON.stringify(a) !== JSON.stringify(b)) differ.push(`${new Date(t).toISOString()} open: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
        const na = nextWindowChange(kept, t);
        const nb = nextWindowChange(fresh(), t);
        if (na !== nb) differ.push(`${new Date(t).toISOString()} next change: ${na} vs ${nb}`);
      }
      assert.deepEqual(differ.slice(0, 3), [], `${schedule.cron} in ${schedule.time_zone}`);
    }
  }
});

test('just after the March change, the next opening of a window at a skipped time is 03:30 CEST that day, not the next day', () => {
  // 02:30 Europe/Berlin does not exist on 2026-03-29: the window opens at 03:30 CEST (01:30Z).
  // Asked at 03:04 CEST, croner alone answers the next day; vaid would then not look at the
  // covered services when the window opens (a pause starting up to a check interval late).
  const s = spec({ cron: '30 2 * * *', duration: '1h', time_zone: 'Europe/Berlin' });
  assert.equal(nextWindowChange(s, Date.UTC(2026, 2, 29, 1, 4)), Date.UTC(2026, 2, 29, 1, 30));
  assert.equal(openWindow(s, Date.UTC(2026, 2, 29, 1, 30))?.start, Date.UTC(2026, 2, 29, 1, 30));
});

test('between the two 02:30s of the October change, the next opening is the second one (CET) that night, not the next day', () => {
  const s = spec({ cron: '30 2 * * *', duration: '1h', time_zone: 'Europe/Berlin' });
  // 00:36Z is 02:36 CEST, after the first 02:30 (which opens nothing) and before the second (01:30Z).
  assert.equal(openWindow(s, Date.UTC(2026, 9, 25, 0, 36)), null);
  assert.equal(nextWindowChange(spec({ cron: '30 2 * * *', duration: '1h', time_zone: 'Europe/Berlin' }), Date.UTC(2026, 9, 25, 0, 36)), Date.UTC(2026, 9, 25, 1, 30));
});
