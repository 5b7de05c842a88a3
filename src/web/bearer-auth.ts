// Bearer token check. The token is compared through fixed-length digests so the time taken does
// not tell how many leading characters were right.
import { createHash, timingSafeEqual } from 'node:crypto';

export const MIN_TOKEN_LENGTH = 16;

export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  return timingSafeEqual(digest(m[1]!), digest(token));
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
