import assert from 'node:assert/strict';
import { Agent, request, type IncomingHttpHeaders, type ClientRequest } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { deflateSync, gzipSync } from 'node:zlib';
import { encodeExportRequest } from '../../src/core/ingest/index';
import { otlpTypes } from '../../src/core/ingest/proto-root';
import type { LogRecordData, SpanRecord } from '../../src/core/model';
import {
  OtlpHttpReceiver,
  PortInUseError,
  type OtlpHttpReceiverOptions,
  type ReceiverDataEvent,
} from '../../src/core/receiver/index';
import { until } from '../support/until';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';
const PB = { 'content-type': 'application/x-protobuf' };
const JSON_CT = { 'content-type': 'application/json' };
const MiB = 1024 * 1024;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface Collected {
  spans: SpanRecord[];
  logs: LogRecordData[];
  dataPoints: number;
}

function traceBody(names: string[] = ['op']): Uint8Array {
  return encodeExportRequest('traces', {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
        scopeSpans: [
          {
            spans: names.map((name) => ({
              traceId: Buffer.from(TRACE_ID, 'hex'),
              spanId: Buffer.from(SPAN_ID, 'hex'),
              name,
            })),
          },
        ],
      },
    ],
  });
}

const jsonTraces = (spans: unknown[]): string =>
  JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });

function readReply(res: import('node:http').IncomingMessage): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () =>
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
    );
    res.on('error', reject);
  });
}

/** One request with a complete body. */
function send(
  base: string,
  path: string,
  opts: {
    method?: string;
    headers?: Record<string, string | number>;
    body?: Uint8Array | string;
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, base),
      { method: opts.method ?? 'POST', headers: opts.headers, agent: false },
      (res) => readReply(res).then(resolve, reject),
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/**
 * Streams `total` bytes (or forever, chunked, when undefined) until the server answers; the
 * server may cut the connection after answering, so errors after the reply are expected.
 */
function sendHuge(
  base: string,
  path: string,
  headers: Record<string, string | number>,
  chunk: Buffer,
  total?: number,
): Promise<Reply & { sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(new URL(path, base), { method: 'POST', headers, agent: false }, (res) => {
      answered = true;
      readReply(res).then((r) => {
        req.destroy();
        resolve({ ...r, sent });
      }, reject);
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    const pump = (): void => {
      while (!answered && (total === undefined || sent < total)) {
        const piece =
          total === undefined ? chunk : chunk.subarray(0, Math.min(chunk.length, total - sent));
        sent += piece.length;
        if (!req.write(piece)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/** A request whose headers and first bytes are sent, the rest held back until `finish()`. */
function holdOpen(
  base: string,
  path: string,
  headers: Record<string, string | number>,
  first: Uint8Array,
): { req: ClientRequest; reply: Promise<Reply>; finish(rest: Uint8Array): void } {
  let req!: ClientRequest;
  const reply = new Promise<Reply>((resolve, reject) => {
    req = request(new URL(path, base), { method: 'POST', headers, agent: false }, (res) =>
      readReply(res).then(resolve, reject),
    );
    req.on('error', reject);
  });
  req.write(first);
  return { req, reply, finish: (rest) => req.end(rest) };
}

function decodeStatus(reply: Reply): { code?: number; message?: string } {
  if (String(reply.headers['content-type']).startsWith('application/json'))
    return JSON.parse(reply.body.toString()) as { code?: number; message?: string };
  const t = otlpTypes().status;
  return t.toObject(t.decode(reply.body)) as { code?: number; message?: string };
}

async function startReceiver(
  over: Partial<OtlpHttpReceiverOptions> = {},
): Promise<{ receiver: OtlpHttpReceiver; url: string; port: number; got: Collected }> {
  const got: Collected = { spans: [], logs: [], dataPoints: 0 };
  const receiver = new OtlpHttpReceiver({
    port: 0,
    sinks: {
      traces: (spans) => void got.spans.push(...spans),
      logs: (logs) => void got.logs.push(...logs),
      metrics: (n) => void (got.dataPoints += n),
    },
    ...over,
  });
  const addr = await receiver.start();
  return { receiver, url: addr.url, port: addr.port, got };
}

/** The receiver still answers a good request with 200 after whatever happened before. */
async function assertServing(url: string): Promise<void> {
  const r = await send(url, '/v1/traces', { headers: PB, body: traceBody(['still-serving']) });
  assert.equal(r.status, 200);
}

describe('OTLP/HTTP receiver', () => {
  let receiver: OtlpHttpReceiver;
  let url: string;
  let got: Collected;
  const events: ReceiverDataEvent[] = [];

  before(async () => {
    ({ receiver, url, got } = await startReceiver({ maxBodyBytes: 16 * MiB }));
    receiver.onData((e) => events.push(e));
  });
  after(() => receiver.stop());

  test('binds to loopback on an ephemeral port by default', () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('200 for protobuf traces, answered in protobuf; spans reach the sink', async () => {
    const before = got.spans.length;
    const r = await send(url, '/v1/traces', { headers: PB, body: traceBody(['a', 'b']) });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/x-protobuf');
    assert.equal(r.body.length, 0);
    assert.deepEqual(
      got.spans.slice(before).map((s) => [s.name, s.traceId, s.resource.service]),
      [
        ['a', TRACE_ID, 'api'],
        ['b', TRACE_ID, 'api'],
      ],
    );
    assert.equal(events.at(-1)?.signal, 'traces');
    assert.equal(events.at(-1)?.accepted, 2);
  });

  test('200 for JSON traces (charset parameter allowed), answered in JSON', async () => {
    const r = await send(url, '/v1/traces?x=1', {
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: jsonTraces([{ traceId: TRACE_ID, spanId: SPAN_ID, name: 'json' }]),
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.body.toString(), '{}');
    assert.equal(got.spans.at(-1)?.name, 'json');
  });

  test('logs and metrics are accepted and counted', async () => {
    const logs = JSON.stringify({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'hello' } }] }] }],
    });
    assert.equal((await send(url, '/v1/logs', { headers: JSON_CT, body: logs })).status, 200);
    assert.equal(got.logs.at(-1)?.body, 'hello');
    const metrics = encodeExportRequest('metrics', {
      resourceMetrics: [
        {
          scopeMetrics: [
            { metrics: [{ name: 'm', gauge: { dataPoints: [{ asDouble: 1 }, { asDouble: 2 }] } }] },
          ],
        },
      ],
    });
    const before = got.dataPoints;
    assert.equal((await send(url, '/v1/metrics', { headers: PB, body: metrics })).status, 200);
    assert.equal(got.dataPoints - before, 2);
  });

  test('partial success: 200 with partialSuccess in both formats', async () => {
    const spans = [
      { traceId: TRACE_ID, spanId: SPAN_ID, name: 'ok' },
      { traceId: 'nothex', spanId: SPAN_ID, name: 'bad' },
    ];
    const j = await send(url, '/v1/traces', { headers: JSON_CT, body: jsonTraces(spans) });
    assert.equal(j.status, 200);
    const parsed = JSON.parse(j.body.toString()) as {
      partialSuccess: { rejectedSpans: string; errorMessage: string };
    };
    assert.equal(parsed.partialSuccess.rejectedSpans, '1');
    assert.match(parsed.partialSuccess.errorMessage, /traceId/);

    const pbBody = encodeExportRequest('traces', {
      resourceSpans: [
        { scopeSpans: [{ spans: [{ traceId: Buffer.alloc(3), spanId: Buffer.alloc(8, 1) }] }] },
      ],
    });
    const p = await send(url, '/v1/traces', { headers: PB, body: pbBody });
    assert.equal(p.status, 200);
    const t = otlpTypes().traceResponse;
    const decoded = t.toObject(t.decode(p.body), { longs: Number }) as {
      partialSuccess: { rejectedSpans: number; errorMessage: string };
    };
    assert.equal(decoded.partialSuccess.rejectedSpans, 1);
    assert.match(decoded.partialSuccess.errorMessage, /traceId must be 16 bytes, got 3/);
    assert.ok(receiver.stats.rejectedSpans >= 2);
  });

  test('gzip and deflate bodies are decompressed', async () => {
    assert.equal(
      (
        await send(url, '/v1/traces', {
          headers: { ...PB, 'content-encoding': 'gzip' },
          body: gzipSync(traceBody(['gz'])),
        })
      ).status,
      200,
    );
    assert.equal(got.spans.at(-1)?.name, 'gz');
    assert.equal(
      (
        await send(url, '/v1/traces', {
          headers: { ...PB, 'content-encoding': 'deflate' },
          body: deflateSync(traceBody(['zz'])),
        })
      ).status,
      200,
    );
    assert.equal(got.spans.at(-1)?.name, 'zz');
    assert.equal(
      (
        await send(url, '/v1/traces', {
          headers: { ...PB, 'content-encoding': 'identity' },
          body: traceBody(['id']),
        })
      ).status,
      200,
    );
  });

  test('404 for other paths, 405 with Allow for other methods, 204 for OPTIONS', async () => {
    const nf = await send(url, '/v1/nothing', { headers: PB, body: traceBody() });
    assert.equal(nf.status, 404);
    assert.match(decodeStatus(nf).message ?? '', /\/v1\/traces/);
    await assertServing(url);
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const r = await send(url, '/v1/traces', { method, headers: JSON_CT });
      assert.equal(r.status, 405);
      assert.equal(r.headers.allow, 'POST');
      assert.equal(r.headers['content-type'], 'application/json');
      assert.match(decodeStatus(r).message ?? '', /POST/);
    }
    const options = await send(url, '/v1/traces', { method: 'OPTIONS' });
    assert.equal(options.status, 204);
    assert.equal(options.headers['access-control-allow-origin'], undefined);
    await assertServing(url);
  });

  test('415 for other content types or encodings, answered in JSON', async () => {
    const variants: Record<string, string>[] = [
      { 'content-type': 'text/plain' },
      {},
      { 'content-type': 'application/protobuf-ish' },
    ];
    for (const headers of variants) {
      const r = await send(url, '/v1/traces', { headers, body: 'hello' });
      assert.equal(r.status, 415);
      assert.equal(r.headers['content-type'], 'application/json');
      assert.match(decodeStatus(r).message ?? '', /Content-Type/);
    }
    const br = await send(url, '/v1/traces', {
      headers: { ...PB, 'content-encoding': 'br' },
      body: traceBody(),
    });
    assert.equal(br.status, 415);
    assert.match(decodeStatus(br).message ?? '', /Content-Encoding br/);
    await assertServing(url);
  });

  test('400 with google.rpc.Status for undecodable bodies: random bytes, truncated protobuf, bad JSON, bad gzip', async () => {
    const random = Buffer.alloc(4096);
    let x = 12345;
    for (let i = 0; i < random.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      random[i] = x >>> 24;
    }
    const r1 = await send(url, '/v1/traces', { headers: PB, body: random });
    assert.equal(r1.status, 400);
    assert.equal(r1.headers['content-type'], 'application/x-protobuf');
    const s1 = decodeStatus(r1);
    assert.equal(s1.code, 3);
    assert.match(s1.message ?? '', /invalid OTLP\/protobuf ExportTraceServiceRequest/);
    await assertServing(url);

    const whole = traceBody(['a', 'b', 'c']);
    const r2 = await send(url, '/v1/traces', {
      headers: PB,
      body: whole.subarray(0, whole.length - 7),
    });
    assert.equal(r2.status, 400);
    await assertServing(url);

    for (const body of ['{"resourceSpans": [', '[]', '{"resourceSpans": 5}']) {
      const r3 = await send(url, '/v1/traces', { headers: JSON_CT, body });
      assert.equal(r3.status, 400);
      assert.equal(r3.headers['content-type'], 'application/json');
      assert.ok((decodeStatus(r3).message ?? '').length > 10);
      await assertServing(url);
    }
    const r4 = await send(url, '/v1/logs', {
      headers: { ...PB, 'content-encoding': 'gzip' },
      body: Buffer.from('definitely not gzip'),
    });
    assert.equal(r4.status, 400);
    assert.match(decodeStatus(r4).message ?? '', /decompress/);
    const truncatedGzip = gzipSync(traceBody());
    const r5 = await send(url, '/v1/traces', {
      headers: { ...PB, 'content-encoding': 'gzip' },
      body: truncatedGzip.subarray(0, truncatedGzip.length - 10),
    });
    assert.equal(r5.status, 400);
    await assertServing(url);
    assert.ok((receiver.stats.errorsByStatus[400] ?? 0) >= 6);
  });

  test('413 for a 100 MB body, quickly and without buffering it (declared length and chunked)', async () => {
    const chunk = Buffer.alloc(MiB, 0x61);
    const rssBefore = process.memoryUsage().rss;
    const t0 = Date.now();
    const declared = await sendHuge(
      url,
      '/v1/traces',
      { ...PB, 'content-length': 100 * MiB },
      chunk,
      100 * MiB,
    );
    assert.equal(declared.status, 413);
    assert.match(decodeStatus(declared).message ?? '', /limit/);
    const chunked = await sendHuge(url, '/v1/traces', PB, chunk, 100 * MiB);
    assert.equal(chunked.status, 413);
    assert.ok(chunked.sent < 100 * MiB, `client sent ${chunked.sent} bytes before the answer`);
    const elapsed = Date.now() - t0;
    assert.ok(elapsed < 5000, `took ${elapsed} ms`);
    const growth = process.memoryUsage().rss - rssBefore;
    assert.ok(growth < 200 * MiB, `rss grew ${Math.round(growth / MiB)} MiB`);
    await assertServing(url);
    assert.ok((receiver.stats.errorsByStatus[413] ?? 0) >= 2);
  });

  test('413 for a gzip bomb (1 GiB of zeros), stopped while decompressing', async () => {
    // 64 gzip members of 16 MiB of zeros each (a valid gzip stream, RFC 1952 §2.2): 1 GiB inflated
    // from ~1 MiB on the wire, built in milliseconds rather than by compressing 1 GiB.
    const member = gzipSync(Buffer.alloc(16 * MiB), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 64 }, () => member));
    assert.ok(bomb.length < 2 * MiB);
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const t0 = Date.now();
    try {
      const r = await send(url, '/v1/traces', {
        headers: { ...PB, 'content-encoding': 'gzip' },
        body: bomb,
      });
      assert.equal(r.status, 413);
      assert.match(decodeStatus(r).message ?? '', /after decompression/);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    assert.ok(Date.now() - t0 < 5000);
    assert.ok(peak - rssBefore < 200 * MiB, `rss grew ${Math.round((peak - rssBefore) / MiB)} MiB`);
    await assertServing(url);
  });

  test('Expect: 100-continue with an oversized length is refused before the body is sent', async () => {
    const r = await new Promise<Reply & { continued: boolean }>((resolve, reject) => {
      let continued = false;
      const req = request(
        new URL('/v1/traces', url),
        {
          method: 'POST',
          headers: { ...PB, 'content-length': 64 * MiB, expect: '100-continue' },
          agent: false,
        },
        (res) => readReply(res).then((rep) => resolve({ ...rep, continued }), reject),
      );
      req.on('continue', () => {
        continued = true;
        req.destroy();
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    assert.equal(r.status, 413);
    assert.equal(r.continued, false);
    // and a normal 100-continue upload works
    const ok = await new Promise<number>((resolve, reject) => {
      const body = traceBody(['continued']);
      const req = request(
        new URL('/v1/traces', url),
        {
          method: 'POST',
          headers: { ...PB, 'content-length': body.length, expect: '100-continue' },
          agent: false,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('continue', () => req.end(body));
      req.on('error', reject);
      req.flushHeaders();
    });
    assert.equal(ok, 200);
    assert.equal(got.spans.at(-1)?.name, 'continued');
  });

  test('a client abort mid-body is harmless: its request slot is freed and the receiver serves on', async (t) => {
    // One request at a time, so a slot the aborted upload kept would turn the next request away (429).
    const own = await startReceiver({ maxConcurrentRequests: 1 });
    t.after(() => own.receiver.stop());
    let status = 0;
    const slotFreed = (what: string) =>
      until(
        () => `the slot of ${what} to be freed (a good request got ${status})`,
        3000,
        async () =>
          (status = (
            await send(own.url, '/v1/traces', { headers: PB, body: traceBody(['after-abort']) })
          ).status) === 200,
      );
    const held = holdOpen(
      own.url,
      '/v1/traces',
      { ...PB, 'content-length': 10_000 },
      Buffer.alloc(100),
    );
    held.reply.catch(() => undefined);
    await until('the request to arrive', 3000, () => own.receiver.stats.requests === 1);
    held.req.destroy();
    await slotFreed('the aborted upload');
    const chunked = holdOpen(
      own.url,
      '/v1/logs',
      { ...JSON_CT, 'content-encoding': 'gzip' },
      gzipSync(Buffer.alloc(1000)).subarray(0, 20),
    );
    chunked.reply.catch(() => undefined);
    const requests = own.receiver.stats.requests;
    await until('the gzip upload to arrive', 3000, () => own.receiver.stats.requests > requests);
    chunked.req.destroy();
    await slotFreed('the aborted gzip upload');
    assert.equal(own.got.spans.filter((s) => s.name === 'after-abort').length, 2);
  });

  test('malformed HTTP gets a 400 and a closed connection, without hurting the receiver', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const { port, hostname } = new URL(url);
      const socket = connect(Number(port), hostname, () =>
        socket.write('POST /v1/traces HTTP/1.1\r\nContent-Length: banana\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 400/);
    await assertServing(url);
  });

  test('stats count requests, accepted/rejected items, last data time and errors by status', () => {
    const s = receiver.stats;
    assert.ok(s.requests > 20);
    assert.ok(s.acceptedSpans >= 8);
    assert.ok(s.acceptedLogs >= 1);
    assert.ok(s.acceptedDataPoints >= 2);
    assert.ok(s.lastDataAt !== undefined && Date.now() - s.lastDataAt < 60_000);
    assert.ok(
      (s.errorsByStatus[404] ?? 0) >= 1 &&
        (s.errorsByStatus[405] ?? 0) >= 3 &&
        (s.errorsByStatus[415] ?? 0) >= 4,
    );
    // a snapshot, not live state
    s.requests = -1;
    assert.notEqual(receiver.stats.requests, -1);
  });
});

describe('OTLP/HTTP receiver under load and failure', () => {
  test('429 with Retry-After when more than maxConcurrentRequests are in flight', async (t) => {
    const { receiver, url, got } = await startReceiver({ maxConcurrentRequests: 2 });
    t.after(() => receiver.stop());
    const body = Buffer.from(traceBody(['held']));
    const held = [0, 1].map(() =>
      holdOpen(url, '/v1/traces', { ...PB, 'content-length': body.length }, body.subarray(0, 10)),
    );
    await until('two held requests', 3000, () => receiver.stats.requests === 2);
    const r = await send(url, '/v1/traces', { headers: PB, body: traceBody() });
    assert.equal(r.status, 429);
    assert.equal(r.headers['retry-after'], '1');
    assert.match(decodeStatus(r).message ?? '', /concurrent/);
    const j = await send(url, '/v1/traces', { headers: JSON_CT, body: '{}' });
    assert.equal(j.status, 429);
    assert.equal(j.headers['content-type'], 'application/json');
    for (const h of held) h.finish(body.subarray(10));
    assert.deepEqual(
      (await Promise.all(held.map((h) => h.reply))).map((x) => x.status),
      [200, 200],
    );
    assert.equal(got.spans.filter((s) => s.name === 'held').length, 2);
    await assertServing(url);
  });

  test('503 with Retry-After when queued bytes would exceed maxQueuedBytes', async (t) => {
    const { receiver, url } = await startReceiver({ maxQueuedBytes: 64 * 1024 });
    t.after(() => receiver.stop());
    // Declared length reserves budget up front.
    const held = holdOpen(
      url,
      '/v1/traces',
      { ...PB, 'content-length': 50 * 1024 },
      Buffer.alloc(10),
    );
    held.reply.catch(() => undefined);
    await until('the held request', 3000, () => receiver.stats.requests === 1);
    const r = await send(url, '/v1/traces', {
      headers: { ...PB, 'content-length': 20 * 1024 },
      body: Buffer.alloc(20 * 1024),
    });
    assert.equal(r.status, 503);
    assert.ok(Number(r.headers['retry-after']) >= 1);
    assert.match(decodeStatus(r).message ?? '', /retry/);
    // A chunked upload is counted while it streams.
    const chunked = await sendHuge(url, '/v1/traces', PB, Buffer.alloc(4096), 40 * 1024);
    assert.equal(chunked.status, 503);
    assert.ok(Number(chunked.headers['retry-after']) >= 1);
    // Small requests still fit in the remaining budget.
    await assertServing(url);
    // Once the held request goes away, its reservation is returned.
    held.req.destroy();
    const padded = JSON.stringify({ resourceSpans: [], padding: 'x'.repeat(20 * 1024) });
    let status = 0;
    await until(
      () => `the held request's reservation to be returned (a 20 KiB request got ${status})`,
      3000,
      async () =>
        (status = (
          await send(url, '/v1/traces', {
            headers: { ...JSON_CT, 'content-length': padded.length },
            body: padded,
          })
        ).status) === 200,
    );
  });

  test('after an early 413 the upload is drained and a keep-alive connection is reused', async (t) => {
    const { receiver, url } = await startReceiver({ maxBodyBytes: MiB });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    t.after(() => {
      agent.destroy();
      return receiver.stop();
    });
    const viaAgent = (body: Uint8Array): Promise<Reply & { localPort: number | undefined }> =>
      new Promise((resolve, reject) => {
        const req = request(
          new URL('/v1/traces', url),
          { method: 'POST', headers: { ...PB, 'content-length': body.length }, agent },
          (res) => {
            const localPort = req.socket?.localPort;
            readReply(res).then((r) => resolve({ ...r, localPort }), reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const big = await viaAgent(Buffer.alloc(20 * MiB));
    assert.equal(big.status, 413);
    assert.notEqual(big.headers.connection, 'close');
    const next = await viaAgent(traceBody(['reused']));
    assert.equal(next.status, 200);
    assert.equal(next.localPort, big.localPort, 'same connection');
  });

  test('a sink that throws gives 500 with a message, and the receiver keeps serving', async (t) => {
    let fail = true;
    const { receiver, url } = await startReceiver({
      sinks: {
        traces: () => {
          if (fail) throw new Error('store is full');
        },
        logs: () => undefined,
        metrics: () => undefined,
      },
    });
    t.after(() => receiver.stop());
    const r = await send(url, '/v1/traces', {
      headers: JSON_CT,
      body: jsonTraces([{ traceId: TRACE_ID, spanId: SPAN_ID }]),
    });
    assert.equal(r.status, 500);
    assert.match(decodeStatus(r).message ?? '', /store is full/);
    fail = false;
    await assertServing(url);
    assert.equal(receiver.stats.errorsByStatus[500], 1);
  });

  test('a port in use rejects start() with PortInUseError', async (t) => {
    const { receiver, port } = await startReceiver();
    t.after(() => receiver.stop());
    const second = new OtlpHttpReceiver({
      port,
      sinks: { traces: () => undefined, logs: () => undefined, metrics: () => undefined },
    });
    await assert.rejects(second.start(), (err: unknown) => {
      assert.ok(err instanceof PortInUseError);
      assert.equal(err.port, port);
      assert.equal(err.host, '127.0.0.1');
      assert.match(err.message, new RegExp(`Port ${port}`));
      assert.match(err.message, /another port|port to 0/);
      return true;
    });
    await second.stop(); // harmless when not started
  });

  test('stop() closes the listener even with idle keep-alive connections', async () => {
    const { receiver, url } = await startReceiver();
    const r = await fetch(new URL('/v1/traces', url), {
      method: 'POST',
      headers: PB,
      body: traceBody(),
    });
    assert.equal(r.status, 200);
    await r.arrayBuffer();
    const t0 = Date.now();
    await receiver.stop();
    assert.ok(Date.now() - t0 < 1500);
    await assert.rejects(
      fetch(new URL('/v1/traces', url), { method: 'POST', headers: PB, body: traceBody() }),
    );
  });

  test('extraRoute serves other paths; unknown ones still 404', async (t) => {
    const { receiver, url } = await startReceiver({
      extraRoute: (req, res) => {
        if (req.url !== '/status') return false;
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('up');
        return true;
      },
    });
    t.after(() => receiver.stop());
    const r = await send(url, '/status', { method: 'GET' });
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'up');
    assert.equal((await send(url, '/other', { method: 'GET' })).status, 404);
  });
});
