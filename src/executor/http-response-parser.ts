// Just enough HTTP/1.x response parsing for a health check: the status line, and the body as far
// as a substring search needs it (chunked or not), within a fixed bound. Pure, so the Docker
// executor parses a raw response from inside a container with the same code.

export const MAX_HEADER_BYTES = 16 * 1024;
export const MAX_BODY_BYTES = 64 * 1024;

export type ParseState =
  | { kind: 'incomplete' }
  | { kind: 'invalid'; message: string }
  | {
      kind: 'status';
      status: number;
      headerEnd: number;
      chunked: boolean;
      contentLength: number | null;
      /** The server will not take another request on this connection (HTTP/1.0 or `Connection: close`); false until the headers are complete. */
      closes: boolean;
    };

const STATUS_LINE = /^HTTP\/(\d(?:\.\d)?) (\d{3})/;

/** Parses the head of a response held in `buf` (may be partial). */
export function parseHead(buf: Buffer): ParseState {
  const lineEnd = buf.indexOf('\r\n');
  if (lineEnd < 0) {
    if (buf.length > MAX_HEADER_BYTES) return { kind: 'invalid', message: 'status line too long' };
    return buf.length >= 12 && !buf.subarray(0, 5).equals(Buffer.from('HTTP/')) ? invalid(buf) : { kind: 'incomplete' };
  }
  const m = STATUS_LINE.exec(buf.toString('latin1', 0, Math.min(lineEnd, 64)));
  if (!m) return invalid(buf);
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) {
    if (buf.length > MAX_HEADER_BYTES) return { kind: 'invalid', message: 'response headers too large' };
    return { kind: 'status', status: Number(m[2]), headerEnd: -1, chunked: false, contentLength: null, closes: false };
  }
  const head = buf.toString('latin1', lineEnd + 2, end).toLowerCase();
  const chunked = /(?:^|\n)transfer-encoding:[^\n]*chunked/.test(head);
  const cl = /(?:^|\n)content-length:\s*(\d+)/.exec(head);
  const closes = m[1] !== '1.1' || /(?:^|\n)connection:[^\n]*close/.test(head);
  return { kind: 'status', status: Number(m[2]), headerEnd: end + 4, chunked, contentLength: cl ? Number(cl[1]) : null, closes };
}

function invalid(buf: Buffer): ParseState {
  return { kind: 'invalid', message: `not an HTTP response: ${JSON.stringify(buf.toString('latin1', 0, 40))}` };
}

/** Body bytes received so far (de-chunked), and whether the body is known to be complete. */
export function decodeBody(raw: Buffer, chunked: boolean, contentLength: number | null): { body: Buffer; complete: boolean } {
  if (!chunked) {
    if (contentLength !== null) return { body: raw.subarray(0, contentLength), complete: raw.length >= contentLength };
    return { body: raw, complete: false };
  }
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', pos);
    if (eol < 0) return { body: Buffer.concat(parts), complete: false };
    const size = parseInt(raw.toString('latin1', pos, eol).split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size)) return { body: Buffer.concat(parts), complete: true };
    if (size === 0) return { body: Buffer.concat(parts), complete: true };
    const start = eol + 2;
    const available = Math.min(size, raw.length - start);
    if (available > 0) parts.push(raw.subarray(start, start + available));
    if (available < size) return { body: Buffer.concat(parts), complete: false };
    pos = start + size + 2;
  }
}

/**
 * Where a response whose headers are complete (`headerEnd` ≥ 0) stands on a connection that is to
 * be reused: 'more' until its body is all in `buf`; 'done' when `buf` holds exactly the response;
 * 'unreusable' when the connection cannot carry another request (the body runs to the close,
 * the server said so, the body is over the bound, or bytes follow the response).
 */
export function responseEnd(
  buf: Buffer,
  head: { status: number; headerEnd: number; chunked: boolean; contentLength: number | null; closes: boolean },
): 'more' | 'done' | 'unreusable' {
  if (head.closes || head.status < 200) return 'unreusable';
  let end: number;
  if (head.status === 204 || head.status === 304) end = head.headerEnd;
  else if (head.chunked) {
    const e = chunkedEnd(buf, head.headerEnd);
    if (e === 'invalid') return 'unreusable';
    if (e === 'more') return buf.length - head.headerEnd > MAX_BODY_BYTES ? 'unreusable' : 'more';
    end = e;
  } else if (head.contentLength !== null) {
    if (head.contentLength > MAX_BODY_BYTES) return 'unreusable';
    end = head.headerEnd + head.contentLength;
  } else return 'unreusable';
  if (buf.length < end) return 'more';
  return buf.length === end ? 'done' : 'unreusable';
}

/** Offset just past a chunked body (last chunk and trailers) that starts at `pos`. */
function chunkedEnd(buf: Buffer, pos: number): number | 'more' | 'invalid' {
  for (;;) {
    const eol = buf.indexOf('\r\n', pos);
    if (eol < 0) return 'more';
    const size = parseInt(buf.toString('latin1', pos, eol).split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size) || size < 0) return 'invalid';
    if (size === 0) {
      const trailersEnd = buf.indexOf('\r\n\r\n', eol);
      return trailersEnd < 0 ? 'more' : trailersEnd + 4;
    }
    pos = eol + 2 + size + 2;
    if (pos > buf.length) return 'more';
  }
}
