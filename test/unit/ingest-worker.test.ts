// The ingest worker (core/ingest-worker): trace bodies decoded and triaged on a worker thread give
// the engine exactly what in-process ingest gives it — the same series, counts and latencies on
// the same functions, bare request paths shaped by the workspace's routes — and a malformed body
// is still a 400 while the receiver keeps serving.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import type { Engine } from '../../src/core/engine/engine';
import { engineSinks } from '../../src/core/engine/sinks';
import { encodeExportRequest } from '../../src/core/ingest/request-encode';
import { IngestWorker } from '../../src/core/ingest-worker/ingest-worker';
import { OtlpHttpReceiver } from '../../src/core/receiver/http-receiver';

const root = mkdtempSync(join(tmpdir(), 'prodlens-worker-'));
mkdirSync(join(root, 'src'));
writeFileSync(
  join(root, 'src', 'app.js'),
  [
    "const express = require('express');",
    'const app = express();',
    "app.get('/users/:id', function getUser(req, res) {",
    '  res.json({ id: req.params.id });',
    '});',
    "app.post('/orders', function placeOrder(req, res) {",
    '  res.status(201).end();',
    '});',
    'function helper() {',
    '  return 1;',
    '}',
    'module.exports = { app, helper };',
    '',
  ].join('\n'),
);
const stops: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const s of stops) await s();
  rmSync(root, { recursive: true, force: true });
});

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });

/** An OTLP request with stock-instrumentation shapes: bare paths (no http.route), code attributes. */
function request(round: number, hexIds = false): Record<string, unknown> {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = [];
  for (let i = 0; i < 60; i++) {
    const dur = BigInt(5 + ((i * 7 + round) % 40)) * 1_000_000n;
    const id = (n: number, len: number) =>
      Buffer.from(
        (n + round * 1000 + i)
          .toString(16)
          .padStart(len * 2, '0')
          .slice(-len * 2),
        'hex',
      ).toString(hexIds ? 'hex' : 'base64');
    const base = {
      traceId: id(1, 16),
      spanId: id(2, 8),
      startTimeUnixNano: String(now - dur),
      endTimeUnixNano: String(now),
    };
    const kind = i % 3;
    spans.push(
      kind === 0
        ? {
            ...base,
            name: 'GET',
            kind: 2,
            status: i % 10 === 0 ? { code: 2 } : {},
            attributes: [str('http.request.method', 'GET'), str('url.path', `/users/${i}`)],
          }
        : kind === 1
          ? {
              ...base,
              name: 'POST',
              kind: 2,
              attributes: [str('http.request.method', 'POST'), str('url.path', '/orders')],
            }
          : {
              ...base,
              name: 'helper',
              kind: 1,
              attributes: [
                str('code.file.path', '/deploy/app/src/app.js'),
                int('code.line.number', 9),
                str('code.function.name', 'helper'),
              ],
            },
    );
  }
  return {
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'shop')] },
        scopeSpans: [{ scope: { name: 't' }, spans }],
      },
    ],
  };
}

const problems: string[] = [];

async function receiverFor(
  withWorker: boolean,
): Promise<{ engine: Engine; url: string; worker?: IngestWorker }> {
  const { engine } = await createWorkspaceEngine(root);
  const worker = withWorker ? new IngestWorker(engine, (m) => problems.push(m)) : undefined;
  const receiver = new OtlpHttpReceiver({ port: 0, sinks: engineSinks(engine, worker) });
  const { url } = await receiver.start();
  stops.push(
    () => receiver.stop(),
    async () => worker?.dispose(),
  );
  return worker ? { engine, url, worker } : { engine, url };
}

async function post(url: string, body: Uint8Array, type: string): Promise<number> {
  const r = await fetch(`${url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': type },
    body: Buffer.from(body),
  });
  await r.arrayBuffer();
  return r.status;
}

test('ingest worker: the same numbers on the same functions as in-process ingest', async () => {
  const here = await receiverFor(false);
  const there = await receiverFor(true);
  for (let round = 0; round < 5; round++) {
    const req = request(round);
    const pb = encodeExportRequest('traces', req);
    // OTLP/JSON spells ids in hex, protobuf's JSON mapping in base64.
    const json = new TextEncoder().encode(JSON.stringify(request(round + 100, true)));
    for (const r of [here, there]) {
      assert.equal(await post(r.url, pb, 'application/x-protobuf'), 200);
      assert.equal(await post(r.url, json, 'application/json'), 200);
    }
  }
  await here.engine.functionsIn('src/app.js');
  await there.engine.functionsIn('src/app.js');
  const rows = (e: Engine) =>
    e.fileStats('src/app.js', { windowMs: 900_000 }).map((s) => ({
      fn: s.function.qualifiedName,
      count: s.stats.count,
      errors: s.stats.errors,
      p50: s.stats.p50Ms,
      rule: s.mapping.rule,
    }));
  const expected = rows(here.engine);
  // Bare paths were shaped by the workspace's routes (one series per route, not per id).
  assert.deepEqual(
    expected.map((r) => [r.fn, r.count]),
    [
      ['getUser', 200],
      ['placeOrder', 200],
      ['helper', 200],
    ],
  );
  assert.deepEqual(rows(there.engine), expected);
  assert.equal(there.engine.seriesCount, here.engine.seriesCount);
  // The worker named the bare paths' series by their route, as in-process ingest does.
  const names = (e: Engine) => [...e.allSeries()].map((s) => s.identity.spanName).sort();
  assert.deepEqual(names(there.engine), names(here.engine));
  assert.ok(names(there.engine).includes('GET /users/:id'), names(there.engine).join(', '));
  assert.ok(
    there.worker?.running,
    `decoded on the worker, not the fallback: ${problems.join('; ')}`,
  );
  assert.deepEqual(problems, []);
});

test('ingest worker: a malformed body is a 400 and the receiver keeps serving', async () => {
  const { engine, url, worker } = await receiverFor(true);
  assert.equal(
    await post(url, new Uint8Array([0x0a, 0xff, 0xff, 0x01]), 'application/x-protobuf'),
    400,
  );
  assert.equal(
    await post(url, new TextEncoder().encode('{"resourceSpans": 3'), 'application/json'),
    400,
  );
  assert.equal(
    await post(url, encodeExportRequest('traces', request(9)), 'application/x-protobuf'),
    200,
  );
  assert.equal(engine.spansPerMinute(), 60);
  assert.ok(worker?.running);
  assert.deepEqual(problems, []);
});
