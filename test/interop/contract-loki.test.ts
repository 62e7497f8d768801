// Contract: the Loki client against recorded query_range responses (`streams` of [ns, line]),
// served by a loopback fake; LogQL builders; faults through the shared HttpClient.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fakeBackends } from '../support/fake-backend';
import { SourceError } from '../../src/core/sources/http-client';
import { LokiSource, lokiTextQuery, lokiTraceQuery } from '../../src/core/sources/loki';

const TOKEN = 'loki-secret-1d8f3b6e';
const backends = fakeBackends('loki');
const fake = backends.fake;
after(() => backends.close());
const loki = (url: string, token?: string) => new LokiSource({ kind: 'loki', url, environment: 'prod', timeoutMs: 2000, ...(token ? { token } : {}) });

test('contract: loki query_range streams become log records: ns times, trace ids, levels, structured metadata', async () => {
  const s = await fake((u) => (u.pathname === '/loki/api/v1/query_range' ? { fixture: 'query-range.json' } : { fixture: 'labels.json' }));
  const query = lokiTextQuery('checkout', 'id=A1');
  const logs = await loki(s.url).queryRange({ query, startMs: 1767225000000, endMs: 1767225700000, limit: 50 });
  const q = s.asked[0]?.searchParams;
  assert.equal(q?.get('query'), '{service_name="checkout"} |= "id=A1"');
  assert.equal(q?.get('start'), '1767225000000000000', 'unix ns');
  assert.equal(q?.get('end'), '1767225700000000000');
  assert.equal(q?.get('limit'), '50');
  assert.equal(q?.get('direction'), 'backward');
  assert.deepEqual(
    logs.map((l) => [l.timeMs, l.body, l.severityNumber, l.severityText, l.traceId, l.spanId, l.resource.service, l.resource.environment]),
    [
      [1767225600041.0002, 'order not found id=A1', 17, 'error', '0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', 'checkout', 'prod'],
      [1767225600020, 'retrying order id=A1', 10, 'info', '0af7651916cd43dd8448eb211c80319c', '', 'checkout', ''],
      [1767225600013, 'loading order id=A1 failed', 17, 'error', '0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', 'checkout', 'prod'],
    ],
  );
  assert.equal(logs[0]?.attributes.level, 'error');
  assert.match((await loki(s.url).testConnection()).message, /^ok \(Loki, 2 labels\)/);
});

test('contract: loki query builders quote safely; a metric query is refused with a clear message', async () => {
  assert.equal(lokiTextQuery('check"out', 'say "hi"\\n'), '{service_name="check\\"out"} |= "say \\"hi\\"\\\\n"');
  assert.equal(lokiTraceQuery('0AF7651916CD43DD8448EB211C80319C'), '{service_name=~".+"} | trace_id="0af7651916cd43dd8448eb211c80319c"');
  assert.equal(lokiTraceQuery('8448eb211c80319c', { service: 'checkout', inLine: true }), '{service_name="checkout"} |= "00000000000000008448eb211c80319c"');
  assert.equal(lokiTextQuery('checkout', '', { serviceLabel: 'app' }), '{app="checkout"}');
  const s = await fake(() => ({ fixture: 'query-matrix.json' }));
  await assert.rejects(loki(s.url).queryRange({ query: 'count_over_time({service_name="checkout"}[5m])', startMs: 0, endMs: 1 }), (e: unknown) => e instanceof SourceError && /matrix result, expected log lines/.test(e.message));
});

test('contract: loki faults: HTML instead of JSON, a 500, and a 401 that never shows the token', async () => {
  const html = await fake(() => ({ body: '<html><body>Grafana login</body></html>', type: 'text/html; charset=utf-8' }));
  await assert.rejects(loki(html.url).queryRange({ query: '{service_name="x"}', startMs: 0, endMs: 1 }), (e: unknown) => e instanceof SourceError && e.reason === 'not-json');
  const down = await fake(() => ({ status: 500, body: 'rpc error: code = Unavailable desc = ingester down', type: 'text/plain' }));
  await assert.rejects(loki(down.url).queryRange({ query: '{service_name="x"}', startMs: 0, endMs: 1 }), (e: unknown) => e instanceof SourceError && e.status === 500 && /ingester down/.test(e.message));
  const auth = await fake((_u, req) => ({ status: 401, body: `no org id; token ${req.headers.authorization}`, type: 'text/plain' }));
  const src = loki(auth.url, TOKEN);
  await assert.rejects(src.queryRange({ query: '{service_name="x"}', startMs: 0, endMs: 1 }), (e: unknown) => e instanceof SourceError && e.reason === 'auth' && !e.message.includes(TOKEN) && /PRODLENS_LOKI_TOKEN/.test(e.message));
  const status = await src.testConnection();
  assert.equal(status.ok, false);
  assert.ok(!status.message.includes(TOKEN));
});
