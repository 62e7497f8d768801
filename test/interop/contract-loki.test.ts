// Contract: the Loki client against recorded query_range responses (`streams` of [ns, line]),
// served by a loopback fake; LogQL builders; faults through the shared HttpClient.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fakeBackends } from '../support/fake-backend';
import { SourceError } from '../../src/core/sources/http-client';
import { LokiSource, lokiTextQuery, lokiTraceQuery } from '../../src/core/sources/loki';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import type { MatchLog } from '../../src/core/sources/backend-logs';

const TOKEN = 'loki-secret-1d8f3b6e';
const backends = fakeBackends('loki');
const fake = backends.fake;
after(() => backends.close());
const loki = (url: string, token?: string) =>
  new LokiSource({
    kind: 'loki',
    url,
    environment: 'prod',
    timeoutMs: 2000,
    ...(token ? { token } : {}),
  });

test('contract: loki query_range streams become log records: ns times, trace ids, levels, structured metadata', async () => {
  const s = await fake((u) =>
    u.pathname === '/loki/api/v1/query_range'
      ? { fixture: 'query-range.json' }
      : { fixture: 'labels.json' },
  );
  const query = lokiTextQuery('checkout', 'id=A1');
  const logs = await loki(s.url).queryRange({
    query,
    startMs: 1767225000000,
    endMs: 1767225700000,
    limit: 50,
  });
  const q = s.asked[0]?.searchParams;
  assert.equal(q?.get('query'), '{service_name="checkout"} |= "id=A1"');
  assert.equal(q?.get('start'), '1767225000000000000', 'unix ns');
  assert.equal(q?.get('end'), '1767225700000000000');
  assert.equal(q?.get('limit'), '50');
  assert.equal(q?.get('direction'), 'backward');
  assert.deepEqual(
    logs.map((l) => [
      l.timeMs,
      l.body,
      l.severityNumber,
      l.severityText,
      l.traceId,
      l.spanId,
      l.resource.service,
      l.resource.environment,
    ]),
    [
      [
        1767225600041.0002,
        'order not found id=A1',
        17,
        'error',
        '0af7651916cd43dd8448eb211c80319c',
        'b7ad6b7169203331',
        'checkout',
        'prod',
      ],
      [
        1767225600020,
        'retrying order id=A1',
        10,
        'info',
        '0af7651916cd43dd8448eb211c80319c',
        '',
        'checkout',
        '',
      ],
      [
        1767225600013,
        'loading order id=A1 failed',
        17,
        'error',
        '0af7651916cd43dd8448eb211c80319c',
        'b7ad6b7169203331',
        'checkout',
        'prod',
      ],
    ],
  );
  assert.equal(logs[0]?.attributes.level, 'error');
  assert.match((await loki(s.url).testConnection()).message, /^ok \(Loki, 2 labels\)/);
});

test('contract: loki query builders quote safely; a metric query is refused with a clear message', async () => {
  assert.equal(
    lokiTextQuery('check"out', 'say "hi"\\n'),
    '{service_name="check\\"out"} |= "say \\"hi\\"\\\\n"',
  );
  assert.equal(
    lokiTraceQuery('0AF7651916CD43DD8448EB211C80319C'),
    '{service_name=~".+"} | trace_id="0af7651916cd43dd8448eb211c80319c"',
  );
  assert.equal(
    lokiTraceQuery('8448eb211c80319c', { service: 'checkout', inLine: true }),
    '{service_name="checkout"} |= "00000000000000008448eb211c80319c"',
  );
  assert.equal(lokiTextQuery('checkout', '', { serviceLabel: 'app' }), '{app="checkout"}');
  const s = await fake(() => ({ fixture: 'query-matrix.json' }));
  await assert.rejects(
    loki(s.url).queryRange({
      query: 'count_over_time({service_name="checkout"}[5m])',
      startMs: 0,
      endMs: 1,
    }),
    (e: unknown) => e instanceof SourceError && /matrix result, expected log lines/.test(e.message),
  );
});

test('contract: loki faults: HTML instead of JSON, a 500, and a 401 that never shows the token', async () => {
  const html = await fake(() => ({
    body: '<html><body>Grafana login</body></html>',
    type: 'text/html; charset=utf-8',
  }));
  await assert.rejects(
    loki(html.url).queryRange({ query: '{service_name="x"}', startMs: 0, endMs: 1 }),
    (e: unknown) => e instanceof SourceError && e.reason === 'not-json',
  );
  const down = await fake(() => ({
    status: 500,
    body: 'rpc error: code = Unavailable desc = ingester down',
    type: 'text/plain',
  }));
  await assert.rejects(
    loki(down.url).queryRange({ query: '{service_name="x"}', startMs: 0, endMs: 1 }),
    (e: unknown) => e instanceof SourceError && e.status === 500 && /ingester down/.test(e.message),
  );
  const auth = await fake((_u, req) => ({
    status: 401,
    body: `no org id; token ${req.headers.authorization}`,
    type: 'text/plain',
  }));
  const src = loki(auth.url, TOKEN);
  await assert.rejects(
    src.queryRange({ query: '{service_name="x"}', startMs: 0, endMs: 1 }),
    (e: unknown) =>
      e instanceof SourceError &&
      e.reason === 'auth' &&
      !e.message.includes(TOKEN) &&
      /PRODLENS_LOKI_TOKEN/.test(e.message),
  );
  const status = await src.testConnection();
  assert.equal(status.ok, false);
  assert.ok(!status.message.includes(TOKEN));
});

test('contract: loki lines counted at the log statements that printed them (BackendLogs): one bounded query per refresh, marked by source, stale on outage', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'prodlens-loki-logs-'));
  try {
    mkdirSync(join(ws, 'svc'));
    const source = [
      'import logging',
      'logger = logging.getLogger(__name__)',
      '',
      'def load(oid):',
      '    logger.error("order not found id=%s", oid)',
      '    logger.info(f"retrying order id={oid}")',
      '    logger.error("loading order id=%s failed", oid)',
      '    logger.warning("unrelated %s", oid)',
      '',
    ].join('\n');
    writeFileSync(join(ws, 'svc', 'orders.py'), source);
    let down = false;
    const s = await fake((u) =>
      down
        ? { status: 502, body: 'bad gateway', type: 'text/plain' }
        : u.pathname === '/loki/api/v1/query_range'
          ? { fixture: 'query-range.json' }
          : { status: 404, body: '' },
    );
    let now = 1767225600041 + 60_000;
    const { engine } = await createWorkspaceEngine(ws);
    const feed = engine.backendLogs({ ttlMs: 30_000, now: () => now });
    const stream = { source: loki(s.url, TOKEN), query: '{service_name="checkout"}', limit: 1000 };
    const match: MatchLog = (body, n, text, attrs) => engine.matchLog(body, n, text, attrs);
    const windowMs = 15 * 60_000;
    const [r] = await feed.refresh([stream], windowMs, match);
    assert.deepEqual([r?.status.ok, r?.lines, r?.unmatched], [true, 3, 0]);
    assert.equal(s.asked.length, 1, 'one query_range per refresh');
    const q = s.asked[0]!.searchParams;
    assert.deepEqual(
      [q.get('query'), q.get('limit'), q.get('direction'), q.get('end'), q.get('start')],
      ['{service_name="checkout"}', '1000', 'backward', `${now}000000`, `${now - windowMs}000000`],
    );

    const here = feed.inFile('svc/orders.py', now - windowMs);
    assert.deepEqual(
      here.map((h) => [
        h.summary.statement.line,
        h.summary.count,
        JSON.stringify(h.summary.byLevel),
        h.summary.latest[0]?.traceId,
        h.origin.label,
        h.origin.stale,
        h.origin.truncated,
      ]),
      [
        [5, 1, '{"error":1}', '0af7651916cd43dd8448eb211c80319c', 'loki (prod)', false, false],
        [6, 1, '{"info":1}', '0af7651916cd43dd8448eb211c80319c', 'loki (prod)', false, false],
        [7, 1, '{"error":1}', '0af7651916cd43dd8448eb211c80319c', 'loki (prod)', false, false],
      ],
    );
    assert.equal(engine.hasStatementLogs, false, "the receiver's counts are not touched");
    assert.equal(feed.inFile('svc/orders.py', 1767225600042 + 1).length, 0, 'outside the window');

    // Within the TTL nothing is asked and nothing is counted twice.
    await feed.refresh([stream], windowMs, match);
    assert.equal(s.asked.length, 1);
    assert.deepEqual(
      feed.inFile('svc/orders.py', now - windowMs).map((h) => h.summary.count),
      [1, 1, 1],
    );

    // Down after the TTL: the counts stay, marked stale, the status names the failure, not the token.
    down = true;
    now += 31_000;
    const [failed] = await feed.refresh([stream], windowMs, match);
    assert.equal(failed?.status.ok, false);
    assert.ok(!failed?.status.message.includes(TOKEN));
    const stale = feed.inFile('svc/orders.py', now - windowMs);
    assert.deepEqual(
      stale.map((h) => [h.summary.count, h.origin.stale]),
      [
        [1, true],
        [1, true],
        [1, true],
      ],
    );

    // A limit the answer fills says the count is a lower bound.
    down = false;
    const [capped] = await feed.refresh([{ ...stream, limit: 3 }], windowMs, match);
    assert.equal(capped?.status.ok, true);
    assert.equal(s.asked.at(-1)?.searchParams.get('limit'), '3');
    assert.ok(
      feed
        .inFile('svc/orders.py', now - windowMs)
        .every((h) => h.origin.truncated && !h.origin.stale),
    );
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});
