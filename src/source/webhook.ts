// Who may say "fetch now": a POST to /hooks/git signed with the shared secret. GitHub and Gitea
// sign the body with HMAC-SHA256 (X-Hub-Signature-256: sha256=HEX, X-Gitea-Signature: HEX);
// GitLab sends the secret itself (X-Gitlab-Token). Compared in constant time. Nothing in the
// body is trusted or even parsed: a valid hook only triggers a fetch of the configured ref.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Equal-length digests, so the comparison takes the same time whatever the input's length. */
function same(a: string, b: string): boolean {
  const da = createHmac('sha256', 'vai-compare').update(a).digest();
  const db = createHmac('sha256', 'vai-compare').update(b).digest();
  return timingSafeEqual(da, db) && a.length === b.length;
}

export type HookVerdict = { ok: true; via: 'github' | 'gitea' | 'gitlab' } | { ok: false; reason: string };

export function verifyGitHook(headers: IncomingHttpHeaders, body: Buffer, secret: string): HookVerdict {
  const expected = createHmac('sha256', secret).update(body).digest('hex');
  const github = header(headers, 'x-hub-signature-256');
  if (github !== undefined) return same(github.trim().toLowerCase(), `sha256=${expected}`) ? { ok: true, via: 'github' } : { ok: false, reason: 'X-Hub-Signature-256 does not match the body' };
  const gitea = header(headers, 'x-gitea-signature');
  if (gitea !== undefined) return same(gitea.trim().toLowerCase(), expected) ? { ok: true, via: 'gitea' } : { ok: false, reason: 'X-Gitea-Signature does not match the body' };
  const gitlab = header(headers, 'x-gitlab-token');
  if (gitlab !== undefined) return same(gitlab, secret) ? { ok: true, via: 'gitlab' } : { ok: false, reason: 'X-Gitlab-Token is not the secret' };
  return { ok: false, reason: 'no X-Hub-Signature-256, X-Gitea-Signature or X-Gitlab-Token header' };
}

/** A token bucket: `burst` hooks at once, then one per `perMs`. */
export class HookRateLimit {
  private tokens: number;
  private at: number;
  constructor(
    private readonly burst = 10,
    private readonly perMs = 2_000,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.at = now();
  }
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (t - this.at) / this.perMs);
    this.at = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
