// vai status page: follows /api/events (a snapshot, then RFC 6902 patches) and renders the
// `vaictl get` table and a `vaictl describe`-like detail view. Plain DOM, no libraries: every
// value is set as text, never as HTML.
'use strict';

const state = { doc: null, connected: false, token: sessionStorage.getItem('vai-token') || '' };
const $ = (id) => document.getElementById(id);

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
  return el;
}

// kubectl-style ages: 42s, 5m, 3h, 12d.
function age(iso, now = Date.now()) {
  if (!iso) return '<none>';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
function until(iso, now = Date.now()) {
  if (!iso) return '<none>';
  const ms = Date.parse(iso) - now;
  return ms <= 0 ? 'due' : `in ${age(new Date(now - ms).toISOString(), now)}`;
}
const pct = (part, whole) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '<none>');
const health = (s) => (s.lastCheck ? s.lastCheck.health : 'unknown');
const phaseEl = (p) => h('span', { class: `phase p-${p}`, 'data-phase': p }, p);
// A maintenance window or silence covering the service: a marker beside its phase.
const maintenanceEl = (s) => (s.maintenance && s.maintenance.length > 0
  ? h('span', { class: 'maintenance', 'data-maintenance': s.maintenance.map((m) => `${m.kind}/${m.name}`).join(','), title: s.maintenance.map((m) => `${m.kind} ${m.name} (${m.mode}) until ${m.until}`).join('; ') }, s.maintenance.some((m) => m.mode === 'pause') ? ' paused' : ' silenced')
  : '');

function applyPatch(doc, ops) {
  for (const op of ops) {
    const keys = op.path.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (keys.length === 0) { doc = op.value; continue; }
    let parent = doc;
    for (const k of keys.slice(0, -1)) parent = parent[k];
    const last = keys[keys.length - 1];
    if (op.op === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1); else delete parent[last];
    } else if (op.op === 'add' && Array.isArray(parent)) {
      if (last === '-') parent.push(op.value); else parent.splice(Number(last), 0, op.value);
    } else if (op.op === 'add' || op.op === 'replace') {
      parent[last] = op.value;
    } else {
      throw new Error(`unsupported patch op ${op.op}`);
    }
  }
  return doc;
}

function renderSummary(doc) {
  const m = doc.manifests;
  const rev = m.revision ? `${(m.revision.commit || 'no commit').slice(0, 12)}${m.revision.dirty ? ' (dirty)' : ''}` : '<none>';
  const all = Object.values(doc.services);
  const healthy = all.filter((s) => s.phase === 'Healthy').length;
  const item = (k, v) => h('span', {}, `${k} `, h('b', {}, v));
  $('host').textContent = doc.vaid.hostname;
  $('summary').replaceChildren(
    item('services', `${healthy}/${all.length} healthy`),
    item('vaid', `${doc.vaid.version} pid ${doc.vaid.pid}, up ${age(doc.vaid.startedAt)}`),
    item('generation', String(m.generation)),
    item('revision', rev),
    ...(doc.source ? [item('source', sourceText(doc.source))] : []),
    item('alerts outbox', String(doc.alerts.outboxSize)),
    item('written', `${age(doc.writtenAt)} ago`),
  );
  $('problems').replaceChildren(...(m.errors.length === 0 ? [] : [
    h('b', { class: 'Warning' }, `${m.errors.length} manifest error${m.errors.length > 1 ? 's' : ''}`),
    h('ul', {}, m.errors.map((e) => h('li', { class: 'mono' }, `${e.file}:${e.line}:${e.column} ${e.path ? `${e.path}: ` : ''}${e.message} [${e.code}]`))),
  ]));
}

function shortRev(r) {
  return r ? (/^[0-9a-f]{40}/.test(r) ? r.slice(0, 7) : r) : '<none>';
}

// The git source in one line, as `vaictl get` heads its table (src/cli/printers/source-words.ts).
function sourceText(s) {
  const parts = [`${s.url}${s.path ? ` (${s.path})` : ''} ${s.ref}: applied ${shortRev(s.appliedRevision)}${s.appliedAt ? ` (${age(s.appliedAt)} ago)` : ''}`];
  if (s.fetchedRevision && s.fetchedRevision !== s.appliedRevision && s.fetchedRevision !== s.attemptedRevision) parts.push(`waiting ${shortRev(s.fetchedRevision)}`);
  if (s.attemptedRevision && s.attemptedRevision !== s.appliedRevision && s.attemptErrors.length) parts.push(`failed ${shortRev(s.attemptedRevision)}: ${s.attemptErrors[0]}`);
  if (s.suspended) parts.push('suspended');
  if (s.lastFetchError) parts.push(`fetch failing: ${s.lastFetchError}`);
  return parts.join('; ');
}

function rolloutText(r) {
  const failed = r.failed ? `; ${shortRev(r.failed.revision)} failed: ${r.failed.reason}` : '';
  if (r.state === 'Pinned') return `Pinned to ${shortRev(r.pinned ? r.pinned.revision : r.running.revision)} (vaictl rollout undo)`;
  return `${r.state}, runs ${shortRev(r.running.revision)}${r.target ? `, starting ${shortRev(r.target.revision)}` : ''}${failed}`;
}

function restartsText(s) {
  return s.restarts.count > 0 && s.restarts.lastAt ? `${s.restarts.count} (${age(s.restarts.lastAt)} ago)` : String(s.restarts.count);
}

// History (STATE_DIR/history.db) comes as server-rendered SVG and JSON, fetched once a minute
// per URL and kept here; every render clones the kept node, so the 1 s re-render fetches nothing.
const historyCache = new Map();
const HISTORY_TTL_MS = 60000;
const ui = { strip: sessionStorage.getItem('vai-strip') || '90d', latency: '24h' };

function fetchHistory(url, kind) {
  const kept = historyCache.get(url);
  if (kept && (kept.loading || Date.now() - kept.at < HISTORY_TTL_MS)) return kept;
  const entry = { at: Date.now(), loading: true, value: kept ? kept.value : null, error: null };
  historyCache.set(url, entry);
  const headers = state.token ? { Authorization: `Bearer ${state.token}` } : {};
  fetch(url, { headers, cache: 'no-store' })
    .then(async (res) => {
      if (!res.ok) throw new Error((await res.text()).trim() || `HTTP ${res.status}`);
      if (res.status === 204) return null;
      if (kind === 'json') return res.json();
      const svg = new DOMParser().parseFromString(await res.text(), 'image/svg+xml').documentElement;
      if (svg.nodeName !== 'svg') throw new Error('not an SVG');
      return svg;
    })
    .then((value) => { entry.value = value; entry.error = null; }, (e) => { entry.error = e.message; })
    .finally(() => { entry.loading = false; entry.at = Date.now(); scheduleRender(); });
  return entry;
}

function historySvg(url, cls) {
  const e = fetchHistory(url, 'svg');
  if (e.value) return h('span', { class: cls }, document.importNode(e.value, true));
  if (!e.loading && !e.error) return h('span', { class: `${cls} muted` }, '');
  return h('span', { class: `${cls} muted` }, e.error ? `history: ${e.error}` : '…');
}

function stripUrl(name) { return `/history/${encodeURIComponent(name)}/uptime.svg?range=${ui.strip}`; }

function toggle(label, options, current, onpick) {
  return h('span', { class: 'toggle', role: 'group', 'aria-label': label }, label, ' ',
    options.map((o) => h('button', { type: 'button', 'data-range': o, 'aria-pressed': String(o === current), class: o === current ? 'on' : '', onclick: (ev) => { ev.stopPropagation(); onpick(o); render(); } }, o)));
}

function stripToggle() {
  return toggle('Uptime', ['90d', '48h'], ui.strip, (o) => { ui.strip = o; sessionStorage.setItem('vai-strip', o); });
}

function renderTable(doc) {
  const names = Object.keys(doc.services).sort();
  if (names.length === 0) return h('p', { class: 'muted' }, 'No services found.');
  const cols = [['NAME'], ['DESIRED', 'opt'], ['PHASE'], ['HEALTH', 'opt-narrow'], ['RESTARTS'], ['LAST CHECK'], ['AGE', 'opt'], [`UPTIME (${ui.strip === '90d' ? '90 DAYS' : '48 HOURS'})`, 'opt']];
  const rows = names.map((n) => {
    const s = doc.services[n];
    const go = () => { location.hash = `#/service/${encodeURIComponent(n)}`; };
    return h('tr', { class: 'svc', 'data-service': n, tabindex: 0, onclick: go, onkeydown: (e) => { if (e.key === 'Enter') go(); } },
      h('td', {}, h('a', { href: `#/service/${encodeURIComponent(n)}` }, n)),
      h('td', { class: 'opt' }, s.desired),
      h('td', {}, phaseEl(s.phase), maintenanceEl(s)),
      h('td', { class: `h-${health(s)} opt-narrow` }, health(s)),
      h('td', { 'data-restarts': s.restarts.count }, restartsText(s)),
      h('td', { title: s.lastCheck ? s.lastCheck.message : '' }, s.lastCheck ? `${age(s.lastCheck.at)} ago` : '<none>'),
      h('td', { class: 'opt' }, age(s.createdAt)),
      h('td', { class: 'opt' }, historySvg(stripUrl(n), 'strip-wrap')),
    );
  });
  return h('div', { class: 'table-wrap' }, h('p', { class: 'controls' }, stripToggle()), h('table', { id: 'services' },
    h('thead', {}, h('tr', {}, cols.map(([c, cls]) => h('th', { class: cls }, c)))),
    h('tbody', {}, rows)));
}

function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(Boolean).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function table(headers, rows, id) {
  if (rows.length === 0) return h('p', { class: 'muted' }, '<none>');
  return h('div', { class: 'table-wrap' }, h('table', { id },
    h('thead', {}, h('tr', {}, headers.map((c) => h('th', {}, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => (c instanceof Node ? h('td', {}, c) : h('td', { class: 'msg' }, c))))))));
}

function renderDetail(doc, name) {
  const s = doc.services[name];
  if (!s) return h('div', {}, h('p', {}, `No service "${name}". `, h('a', { href: '#/' }, 'All services')));
  const c = s.counters;
  const lc = s.lastCheck;
  const labels = Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(', ') || '<none>';
  return h('article', { id: 'detail', 'data-service': name },
    h('p', {}, h('a', { href: '#/' }, '← all services')),
    h('h2', {}, name, ' ', phaseEl(s.phase)),
    kv([
      ['Labels', labels],
      ['Desired', s.desired],
      ['Phase', `${s.phase} since ${age(s.phaseSince)} ago`],
      s.maintenance && s.maintenance.length > 0 && ['Maintenance', s.maintenance.map((m) => `${m.kind} ${m.name} (${m.mode}) until ${until(m.until)}${m.reason ? `: ${m.reason}` : ''}`).join('\n')],
      ['Source', `${s.source.file}:${s.source.line}:${s.source.column}`],
      ['Generation', `${s.generation} (observed ${s.observedGeneration})`],
      s.rollout && ['Rollout', rolloutText(s.rollout)],
      ['Restarts', `${s.restarts.count}${s.restarts.lastAt ? `, last ${age(s.restarts.lastAt)} ago` : ''}`],
      s.restarts.lastReason && ['Last restart reason', s.restarts.lastReason],
      ['Last check', lc ? `${lc.health} ${age(lc.at)} ago in ${lc.latencyMs.toFixed(1)} ms: ${lc.message || lc.reason}` : '<none>'],
      ['Next check', until(s.nextCheckAt)],
      ['Consecutive', `${s.consecutiveFailures} failed, ${s.consecutiveSuccesses} passed`],
      s.recovery && ['Recovery', `${s.recovery.state}, attempt ${s.recovery.attempt}: ${s.recovery.reason}${s.recovery.deadline ? ` (deadline ${until(s.recovery.deadline)})` : ''}`],
      ['Backoff', s.backoff.nextAttemptAt ? `${s.backoff.failures.length} failures in window, delay ${s.backoff.delaySeconds}s, next attempt ${until(s.backoff.nextAttemptAt)}` : `${s.backoff.failures.length} failures in window`],
      s.lastFailure && ['Last failure', `${s.lastFailure.reason} (${s.lastFailure.kind === 'attempt' ? `attempt ${s.lastFailure.attempt}` : 'the service failed'}, ${age(s.lastFailure.at)} ago): ${s.lastFailure.message}`],
      s.lastFailure && s.lastFailure.evidence.length > 0 && ['Evidence', s.lastFailure.evidence.join('\n')],
      s.lastFailure && s.lastFailure.logTail && ['Log tail', s.lastFailure.logTail.join('\n')],
      ['Health checks', `${c.checks} run, ${c.failedChecks} failed, success ${pct(c.checks - c.failedChecks, c.checks)}`],
      ['Recoveries', `${c.recoveriesAttempted} attempted, ${c.recoveriesSucceeded} succeeded, success ${pct(c.recoveriesSucceeded, c.recoveriesAttempted)}`],
    ]),
    h('h2', {}, 'History'),
    h('p', { class: 'controls' }, stripToggle()),
    historySvg(stripUrl(name), 'strip-wrap detail-strip'),
    h('p', { class: 'controls' }, toggle('Latency', ['24h', '7d'], ui.latency, (o) => { ui.latency = o; })),
    historySvg(`/history/${encodeURIComponent(name)}/latency.svg?range=${ui.latency}`, 'chart-wrap'),
    h('h2', {}, 'Incidents (30 days)'),
    incidentTable(name),
    h('h2', {}, 'Conditions'),
    table(['TYPE', 'STATUS', 'REASON', 'AGE', 'MESSAGE'], s.conditions.map((x) => [x.type, x.status, x.reason, age(x.lastTransitionTime), x.message]), 'conditions'),
    h('h2', {}, 'Events'),
    table(['TYPE', 'REASON', 'AGE', 'MESSAGE'], [...s.events].reverse().map((e) => [
      h('span', { class: e.type }, e.type), e.reason,
      e.count > 1 ? `${age(e.lastTime)} (x${e.count} over ${age(e.firstTime)})` : age(e.lastTime), e.message]), 'events'),
  );
}

function duration(ms) {
  if (ms === null || ms === undefined) return 'open';
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return s < 3600 ? `${Math.floor(s / 60)}m${s % 60}s` : `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

function incidentTable(name) {
  const e = fetchHistory(`/api/history?service=${encodeURIComponent(name)}&since=30d`, 'json');
  if (!e.value) return h('p', { class: 'muted' }, e.error ? `history: ${e.error}` : e.loading ? '…' : 'no history kept');
  return table(['OPENED', 'DURATION', 'CLOSED BY', 'CAUSE', 'VAI DID', 'ALERTS'], e.value.items.map((i) => [
    `${age(i.openedAt)} ago`, duration(i.durationMs), i.closedBy || 'open',
    i.cause ? `${i.cause.reason}: ${i.cause.message}` : i.trigger,
    [i.attempts ? `${i.attempts} attempt${i.attempts > 1 ? 's' : ''}` : '', i.restarts ? `${i.restarts} restart${i.restarts > 1 ? 's' : ''}` : ''].filter(Boolean).join(', ') || 'observed only',
    String(i.alertsSent)]), 'incidents');
}

function render() {
  const doc = state.doc;
  if (!doc) return;
  renderSummary(doc);
  const m = /^#\/service\/(.+)$/.exec(location.hash);
  const view = m ? renderDetail(doc, decodeURIComponent(m[1])) : renderTable(doc);
  $('view').replaceChildren(view);
  document.title = m ? `${decodeURIComponent(m[1])} · vai ${doc.vaid.hostname}` : `vai ${doc.vaid.hostname}`;
}

let pending = false;
function scheduleRender() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => { pending = false; render(); });
}

function setLive(on, text) {
  state.connected = on;
  const el = $('live');
  el.className = `live ${on ? 'on' : 'off'}`;
  el.textContent = text;
}

async function follow() {
  const headers = { Accept: 'text/event-stream' };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  const res = await fetch('/api/events', { headers, cache: 'no-store' });
  if (res.status === 401) { showLogin(); return 'auth'; }
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
  $('login').hidden = true;
  setLive(true, 'live');
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return 'closed';
    buf += value;
    for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      let event = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length === 0) continue;
      const payload = JSON.parse(data.join('\n'));
      if (event === 'snapshot') state.doc = payload;
      else if (event === 'patch' && state.doc) state.doc = applyPatch(state.doc, payload);
      scheduleRender();
    }
  }
}

async function run() {
  let delay = 1000;
  for (;;) {
    let outcome;
    try {
      outcome = await follow();
      delay = 1000;
    } catch (e) {
      outcome = 'error';
    }
    if (outcome === 'auth') return;
    setLive(false, 'reconnecting…');
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 10000);
  }
}

function showLogin() {
  setLive(false, 'token needed');
  $('login').hidden = false;
  $('view').replaceChildren();
  $('token').focus();
}

$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  state.token = $('token').value.trim();
  sessionStorage.setItem('vai-token', state.token);
  $('login').hidden = true;
  run();
});
window.addEventListener('hashchange', render);
setInterval(() => { if (state.doc) render(); }, 1000);
run();
