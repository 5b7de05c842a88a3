// Server-rendered SVG for the status page and badges: an uptime strip (one bar per hour or day,
// coloured by the share of failed time, a <title> tooltip per bar), a latency line chart and
// shields-style badges. Pure functions of the numbers; every text is XML-escaped, and nothing
// here loads anything from outside the host.
import type { Bar, LatencyPoint } from '../history/query.js';
import { formatUptime } from '../history/views.js';

export function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Green when up all the time, through amber to red at 5 % or more of the time down; grey without data. */
export function barColour(b: Pick<Bar, 'observedMs' | 'downMs'>): string {
  if (b.observedMs <= 0) return '#d0d7de';
  const down = b.downMs / b.observedMs;
  if (down <= 0) return '#2da44e';
  if (down < 0.001) return '#7fc241';
  if (down < 0.01) return '#d4a72c';
  if (down < 0.05) return '#e16f24';
  return '#cf222e';
}

function when(b: Bar, unit: 'hour' | 'day'): string {
  const iso = new Date(b.start).toISOString();
  return unit === 'day' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function uptimeStripSvg(service: string, bars: readonly Bar[], unit: 'hour' | 'day'): string {
  const w = 4;
  const gap = 1;
  const height = 22;
  const width = bars.length * (w + gap) - gap;
  const rects = bars
    .map((b, i) => {
      const up = b.observedMs > 0 ? `${formatUptime(1 - b.downMs / b.observedMs)} up` : 'no data';
      const down = b.downMs > 0 ? `, ${Math.round(b.downMs / 1000)} s down` : '';
      const tip = `${when(b, unit)}: ${up}${down}, ${b.checks} checks, ${b.failures} failed`;
      return `<rect x="${i * (w + gap)}" y="0" width="${w}" height="${height}" rx="1" fill="${barColour(b)}" data-down="${b.observedMs > 0 ? (b.downMs / b.observedMs).toFixed(6) : ''}"><title>${xml(tip)}</title></rect>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" class="strip" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${xml(`${service}: uptime per ${unit}`)}" data-bars="${bars.length}">${rects}</svg>`;
}

export function latencyChartSvg(service: string, points: readonly LatencyPoint[], label: string): string {
  const width = 600;
  const height = 120;
  const pad = { l: 44, r: 6, t: 8, b: 18 };
  const values = points.map((p) => p.avgMs).filter((v): v is number => v !== null);
  const max = Math.max(1, ...points.map((p) => p.maxMs ?? 0).filter((v) => Number.isFinite(v)), ...values);
  const top = niceCeil(Math.max(...values, 1) * 1.2 > max ? max : Math.max(...values, 1) * 1.2);
  const x = (i: number) => pad.l + (points.length <= 1 ? 0 : (i / (points.length - 1)) * (width - pad.l - pad.r));
  const y = (v: number) => pad.t + (1 - Math.min(v, top) / top) * (height - pad.t - pad.b);
  let d = '';
  let pen = false;
  points.forEach((p, i) => {
    if (p.avgMs === null) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.avgMs).toFixed(1)}`;
    pen = true;
  });
  const dots = points
    .map((p, i) => (p.avgMs === null ? '' : `<circle cx="${x(i).toFixed(1)}" cy="${y(p.avgMs).toFixed(1)}" r="2.2" fill="#0969da"><title>${xml(`${new Date(p.start).toISOString().slice(0, 16).replace('T', ' ')} UTC: avg ${p.avgMs.toFixed(1)} ms, max ${(p.maxMs ?? 0).toFixed(1)} ms, ${p.checks} checks`)}</title></circle>`))
    .join('');
  const grid = [0, 0.5, 1]
    .map((f) => {
      const v = top * f;
      return `<line x1="${pad.l}" x2="${width - pad.r}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#d8dee4" stroke-width="1"/><text x="${pad.l - 4}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="10" fill="#656d76">${xml(`${fmt(v)} ms`)}</text>`;
    })
    .join('');
  const axis = `<text x="${pad.l}" y="${height - 4}" font-size="10" fill="#656d76">${xml(label)} ago</text><text x="${width - pad.r}" y="${height - 4}" font-size="10" text-anchor="end" fill="#656d76">now</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" class="latency" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${xml(`${service}: average check latency, last ${label}`)}" data-points="${values.length}">${grid}<path d="${d}" fill="none" stroke="#0969da" stroke-width="1.6"/>${dots}${axis}</svg>`;
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function fmt(v: number): string {
  return v >= 10 ? String(Math.round(v)) : v.toFixed(1).replace(/\.0$/, '');
}

/** A shields-style badge: grey label, coloured value. Widths estimated at ~6.5 px a character (Verdana 11). */
export function badgeSvg(label: string, value: string, colour: string): string {
  const lw = Math.round(label.length * 6.5 + 10);
  const vw = Math.round(value.length * 6.5 + 10);
  const w = lw + vw;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${xml(`${label}: ${value}`)}"><title>${xml(`${label}: ${value}`)}</title>` +
    `<rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${vw}" height="20" fill="${colour}"/>` +
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11"><text x="${lw / 2}" y="14">${xml(label)}</text><text x="${lw + vw / 2}" y="14">${xml(value)}</text></g></svg>`
  );
}

export function uptimeBadgeColour(ratio: number | null): string {
  if (ratio === null) return '#9f9f9f';
  if (ratio >= 0.999) return '#2da44e';
  if (ratio >= 0.99) return '#7fc241';
  if (ratio >= 0.95) return '#d4a72c';
  return '#cf222e';
}
