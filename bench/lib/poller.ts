// The outside observer of recovery: every 10 ms it opens a fresh loopback connection and asks
// the service for its pid, without waiting for earlier attempts (a frozen service accepts
// connections into its backlog and never answers them). Recovery is the first answer that
// comes from a pid other than the one the bench killed or froze.
import net from 'node:net';

const REQUEST = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n';

/** One request; resolves the pid in the answer, or undefined on any failure. */
export function askPid(port: number, timeoutMs: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    let data = '';
    let done = false;
    const finish = (v: number | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(REQUEST));
    sock.on('data', (d: string) => {
      data += d;
    });
    sock.on('end', () => {
      const m = /^HTTP\/1\.[01] 200[^]*?\r\n\r\n(\d+)$/.exec(data);
      finish(m ? Number(m[1]) : undefined);
    });
    sock.on('error', () => finish(undefined));
  });
}

export interface RecoveryObservation {
  /** ms from `since` to the first answer from a new pid. */
  ms: number;
  newPid: number;
  attempts: number;
}

export async function pollUntilNewPid(
  port: number,
  oldPid: number,
  since: number,
  { everyMs = 10, deadlineMs = 60_000 } = {},
): Promise<RecoveryObservation> {
  return new Promise((resolve, reject) => {
    let attempts = 0;
    let settled = false;
    const deadline = since + deadlineMs;
    const tick = () => {
      if (settled) return;
      if (performance.now() > deadline) {
        settled = true;
        clearInterval(timer);
        reject(new Error(`service on port ${port} did not answer from a new pid within ${deadlineMs} ms`));
        return;
      }
      attempts++;
      void askPid(port, 2_000).then((pid) => {
        if (settled || pid === undefined || pid === oldPid) return;
        const at = performance.now();
        settled = true;
        clearInterval(timer);
        resolve({ ms: at - since, newPid: pid, attempts });
      });
    };
    const timer = setInterval(tick, everyMs);
    tick();
  });
}
