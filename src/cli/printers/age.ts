// Durations as kubectl prints them (apimachinery's HumanDuration): precise when recent,
// coarser as they grow, so a column of ages stays narrow and readable.

export function formatDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const d = days % 365;
    return d === 0 ? `${years}y` : `${years}y${d}d`;
  }
  return `${years}y`;
}

/** Age of an ISO time relative to `now` (epoch ms); '<unknown>' for a missing or bad time. */
export function age(iso: string | null | undefined, now: number): string {
  if (!iso) return '<unknown>';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '<unknown>' : formatDuration(now - t);
}

/** "in 30s" for a future time, "now" within the second or once it has passed (a due check is about to run). */
export function until(iso: string | null | undefined, now: number): string {
  if (!iso) return '<none>';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '<unknown>';
  return t - now < 1000 ? 'now' : `in ${formatDuration(t - now)}`;
}
