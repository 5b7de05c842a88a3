// Email through an SMTP server with nodemailer: STARTTLS required by default (implicit TLS or
// none for a loopback relay on request), AUTH with a user name and password read from the
// environment variables the Notifier names. The subject is the notification's title, the body
// the seed's plain-text format. The Message-ID is built from the delivery key, the same on every
// attempt, so a mail system (or a person's client) can fold a repeat.
import { readFileSync } from 'node:fs';
import type { Notification } from '../notification.js';
import type { DeliveryOutcome } from './outcome.js';
import { defineSink, type RouteBase, type SendContext } from './sink.js';

export interface EmailRoute extends RouteBase {
  sink: 'email';
  notifier: string;
  host: string;
  port: number;
  tls: 'starttls' | 'implicit' | 'none';
  caFile: string | null;
  from: string;
  to: string[];
  usernameEnv: string | null;
  passwordEnv: string | null;
}

/** SMTP reply codes that another attempt cannot fix (RFC 5321 5yz), except a full mailbox or a too-busy policy. */
function classify(e: NodeJS.ErrnoException & { responseCode?: number; response?: string }): DeliveryOutcome {
  const said = (e.response ?? e.message).replace(/\s+/g, ' ').slice(0, 300);
  if (e.code === 'ECONNREFUSED') return { type: 'retry', reason: 'connection refused', unsent: true };
  if (e.code === 'EAUTH') return { type: 'reject', reason: `SMTP authentication failed: ${said}` };
  if (typeof e.responseCode === 'number') {
    if (e.responseCode >= 500 && e.responseCode !== 552) return { type: 'reject', reason: `SMTP ${e.responseCode}: ${said}` };
    return { type: 'retry', reason: `SMTP ${e.responseCode}: ${said}`, unsent: true };
  }
  return { type: 'retry', reason: `${e.code ?? 'error'}: ${said}` };
}

async function sendMail(n: Notification, r: EmailRoute, ctx: SendContext): Promise<DeliveryOutcome> {
  let auth: { user: string; pass: string } | undefined;
  if (r.usernameEnv) {
    const user = ctx.env[r.usernameEnv];
    const pass = r.passwordEnv ? ctx.env[r.passwordEnv] : undefined;
    if (!user) return { type: 'reject', reason: `environment variable ${r.usernameEnv} (username_env) is not set` };
    if (!pass) return { type: 'reject', reason: `environment variable ${r.passwordEnv ?? '(password_env)'} (password_env) is not set` };
    auth = { user, pass };
  }
  let ca: string | undefined;
  if (r.caFile) {
    try {
      ca = readFileSync(r.caFile, 'utf8');
    } catch (e) {
      return { type: 'reject', reason: `tls_ca_file ${r.caFile}: ${(e as Error).message}`, config: true };
    }
  }
  // Loaded on the first email: nodemailer is ~40 modules that a vaid without an email notifier
  // would otherwise hold in memory for its whole life.
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    host: r.host,
    port: r.port,
    secure: r.tls === 'implicit',
    requireTLS: r.tls === 'starttls',
    ignoreTLS: r.tls === 'none',
    ...(auth ? { auth } : {}),
    ...(ca ? { tls: { ca } } : {}),
    connectionTimeout: ctx.timeoutMs,
    greetingTimeout: ctx.timeoutMs,
    socketTimeout: ctx.timeoutMs,
  });
  const onAbort = () => transport.close();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const info = await transport.sendMail({
      from: r.from,
      to: r.to,
      subject: n.title,
      text: `${n.message}\n`,
      messageId: `<${ctx.key}@${n.host.replace(/[^A-Za-z0-9.-]/g, '-') || 'vai'}>`,
      headers: { 'X-Vai-Event': n.code, 'X-Vai-Service': n.service, 'X-Priority': n.priority >= 4 ? '1' : '3' },
    });
    if (info.rejected.length > 0 && info.accepted.length === 0) return { type: 'reject', reason: `every recipient refused: ${info.rejected.join(', ')}` };
    return { type: 'delivered', detail: `SMTP ${info.response.slice(0, 200)}` };
  } catch (e) {
    if (ctx.signal.aborted) return { type: 'retry', reason: 'aborted: the notifier is closing' };
    return classify(e as NodeJS.ErrnoException);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    transport.close();
  }
}

export const emailSink = defineSink<EmailRoute>({
  type: 'email',
  resolve: (n) => {
    const s = n.spec;
    if (!s.smtp_host || !s.from || !s.to?.length) return { ok: false, error: `Notifier "${n.name}" (email) needs smtp_host, from and to` };
    const tls = s.tls ?? 'starttls';
    return {
      ok: true,
      route: {
        sink: 'email',
        notifier: n.name,
        host: s.smtp_host,
        port: s.smtp_port ?? (tls === 'implicit' ? 465 : 587),
        tls,
        caFile: s.tls_ca_file ?? null,
        from: s.from,
        to: [...s.to],
        usernameEnv: s.username_env ?? null,
        passwordEnv: s.password_env ?? null,
      },
    };
  },
  target: (r) => `smtp://${r.host}:${r.port} to ${r.to.join(',')}`,
  secretEnv: (r) => [r.passwordEnv, r.usernameEnv].filter((x): x is string => x !== null),
  urls: () => [],
  withUrls: (r) => ({ ...r, to: [...r.to] }),
  send: sendMail,
  cannotAsk: 'an SMTP server cannot be asked; the repeat carries the same Message-ID',
  groups: true,
});
