// The pure pieces: HTTP response heads and bodies (host and container paths share them), Docker's
// multiplexed stream, engine addresses, and the wording of results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBody, parseHead } from '../../../src/executor/http-response-parser.js';
import { parseProbeResponse } from '../../../src/executor/docker-executor.js';
import { Demuxer } from '../../../src/executor/docker-exec.js';
import { dockerOptions } from '../../../src/executor/docker-engine-address.js';
import { classifyDockerError } from '../../../src/executor/docker-errors.js';
import { parseHttpEndpoint } from '../../../src/executor/http-endpoint.js';
import { formatDuration } from '../../../src/executor/format.js';
import { OutputTail } from '../../../src/executor/output-tail.js';

test('parseHead: partial, complete, invalid', () => {
  assert.deepEqual(parseHead(Buffer.from('HTTP/1.1 20')), { kind: 'incomplete' });
  const head = parseHead(Buffer.from('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\ndown'));
  assert.equal(head.kind, 'status');
  assert.equal(head.kind === 'status' && head.status, 503);
  assert.equal(head.kind === 'status' && head.contentLength, 4);
  assert.equal(parseHead(Buffer.from('SSH-2.0-OpenSSH_9.2\r\n')).kind, 'invalid');
  assert.equal(parseHead(Buffer.from('HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n')).kind === 'status', true);
});

test('decodeBody: content-length, chunked across boundaries, unterminated', () => {
  assert.deepEqual(decodeBody(Buffer.from('okEXTRA'), false, 2), { body: Buffer.from('ok'), complete: true });
  const chunked = Buffer.from('4\r\nall-\r\na\r\nsystems-go\r\n0\r\n\r\n');
  const r = decodeBody(chunked, true, null);
  assert.equal(r.body.toString(), 'all-systems-go');
  assert.equal(r.complete, true);
  const partial = decodeBody(Buffer.from('4\r\nall-\r\na\r\nsyst'), true, null);
  assert.equal(partial.body.toString(), 'all-syst');
  assert.equal(partial.complete, false);
});

test('parseProbeResponse reads curl/bash/nc raw responses and wget body + stderr status', () => {
  assert.deepEqual(parseProbeResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'), Buffer.alloc(0), 'ell'), { status: 200, bodyMatched: true });
  assert.deepEqual(parseProbeResponse(Buffer.from('hi\n'), Buffer.from('  HTTP/1.1 301 Moved\n  HTTP/1.1 200 OK\n'), undefined), { status: 200, bodyMatched: null });
  assert.deepEqual(parseProbeResponse(Buffer.alloc(0), Buffer.from('wget: server returned error: HTTP/1.1 503 Service Unavailable\n'), 'x'), { status: 503, bodyMatched: false });
  assert.equal(parseProbeResponse(Buffer.alloc(0), Buffer.from("wget: can't connect to remote host (127.0.0.1): Connection refused\n"), undefined), null);
});

test('Demuxer splits stdout and stderr frames, whatever the chunking', () => {
  const frame = (type: number, text: string) => {
    const payload = Buffer.from(text);
    const h = Buffer.alloc(8);
    h[0] = type;
    h.writeUInt32BE(payload.length, 4);
    return Buffer.concat([h, payload]);
  };
  const all = Buffer.concat([frame(1, 'out1 '), frame(2, 'err1 '), frame(1, 'out2')]);
  for (const step of [1, 3, 7, all.length]) {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const d = new Demuxer({ push: (c) => out.push(c) }, { push: (c) => err.push(c) });
    for (let i = 0; i < all.length; i += step) d.push(all.subarray(i, i + step));
    assert.equal(Buffer.concat(out).toString(), 'out1 out2', `step ${step}`);
    assert.equal(Buffer.concat(err).toString(), 'err1 ');
  }
});

test('engine addresses: unix, tcp, default, and a clear error for the rest', () => {
  assert.deepEqual(dockerOptions(undefined), { socketPath: '/var/run/docker.sock' });
  assert.deepEqual(dockerOptions('unix:///tmp/d.sock'), { socketPath: '/tmp/d.sock' });
  assert.deepEqual(dockerOptions('tcp://10.0.0.2:2375'), { protocol: 'http', host: '10.0.0.2', port: 2375 });
  assert.match(String(dockerOptions('ssh://me@host')), /unsupported Docker engine address "ssh:\/\/me@host"/);
});

test('engine errors become the executor\'s reasons, not the service\'s', () => {
  assert.equal(classifyDockerError({ statusCode: 404, message: 'no such container' }, 'db').reason, 'ContainerMissing');
  assert.equal(classifyDockerError({ statusCode: 409, json: { message: 'Container abc is not running' } }, 'db').reason, 'ContainerNotRunning');
  const down = classifyDockerError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED /var/run/docker.sock' }, 'db');
  assert.equal(down.reason, 'ExecutorUnavailable');
  assert.match(down.message, /^Docker engine unreachable: connect ECONNREFUSED/);
});

test('endpoints: credentials refused (they would leak into status), IPv6 literals unbracketed', () => {
  assert.match(String(parseHttpEndpoint('http://user:pw@127.0.0.1/')), /credentials in the URL are not supported/);
  const ep = parseHttpEndpoint('http://[::1]:8080/h?x=1');
  assert.ok(typeof ep !== 'string');
  assert.equal(ep.host, '::1');
  assert.equal(ep.path, '/h?x=1');
  assert.match(ep.request.toString(), /^GET \/h\?x=1 HTTP\/1\.1\r\nHost: \[::1\]:8080\r\n/);
});

test('wording: durations and bounded output tails', () => {
  assert.equal(formatDuration(12.4), '12 ms');
  assert.equal(formatDuration(5000), '5 s');
  assert.equal(formatDuration(1500), '1.5 s');
  const t = new OutputTail(16);
  t.push(Buffer.from('line one\nline two\nline three\n'));
  const lines = t.lastLines(5);
  assert.equal(lines.at(-1), 'line three');
  assert.ok(lines.join('\n').length <= 16);
});
