// "did you mean" for unknown fields, values and names.

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

const words = (s: string) => s.toLowerCase().split(/[_.-]+/).filter((w) => w.length >= 5);

/**
 * The one candidate that has a word (split at _ . -) within 2 edits of a word of `word`, of five
 * letters or more: `max_memroy` (pm2's name, misspelt) is far from `memory_mb` as a whole but
 * shares its word. Two candidates sharing the word: no guess.
 */
function wordMatch(word: string, candidates: readonly string[]): string | undefined {
  const mine = words(word);
  if (mine.length === 0) return undefined;
  const hits = candidates.filter((c) => words(c).some((cw) => mine.some((w) => editDistance(w, cw) <= 2)));
  return hits.length === 1 ? hits[0] : undefined;
}

/** The candidate nearest to `word`, if it is near enough to be a likely typo. */
export function closestMatch(word: string, iterable: Iterable<string>): string | undefined {
  const candidates = [...iterable];
  const lower = word.toLowerCase();
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (!best || d < best.d) best = { c, d };
  }
  if (!best) return undefined;
  const limit = Math.max(2, Math.floor(Math.max(word.length, best.c.length) / 3));
  return best.d <= limit ? best.c : wordMatch(word, candidates);
}

export function didYouMean(word: string, candidates: Iterable<string>): string {
  const hit = closestMatch(word, candidates);
  return hit === undefined ? '' : `; did you mean "${hit}"?`;
}
