// Sources facing broken backends: nothing listening, too slow, 5xx, HTML, a 50 MB answer, wrong
// credentials. Each gives a clear per-source status within its timeout, cached values come back
// marked stale, and the token never shows up in any message or output. Servers here are plain
// node:http stand-ins: the faults are the point, not the protocol.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { after, test } from 'node:test';
import { runAlerts } from '../../src/cli/alerts';
import { AlertmanagerSource } from '../../src/core/sources/alertmanager';
import { HttpClient, SourceError } from '../../src/core/sources/http-client';
import { PrometheusSource } from '../../src/core/sources/prometheus';
import { freePort } from '../support/backends';
import { join } from 'node:path';

const WORKSPACE = join(__dirname, '..', 'fixtures', 'workspace');
const TOKEN = 'pl-secret-7f3a9c1e5b';
const servers: Server[] = [];
after(() => {
  for (const s of servers) s.closeAllConnections();
  for (const s of servers) s.close();
});

const ALERT = [
  {
    labels: { alertname: 'TotalsWrong', code_function_name: 'totalItems', severity: 'page' },
    annotations: { summary: 'totals drift' },
    startsAt: '2026-01-01T00:00:00Z',
    generatorURL: '',
    status: { state: 'active' },
  },
];

/** A loopback server answering with `handler`; counts requests. */
async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, n: number) => void,
): Promise<{ url: string; hits: () => number }> {
  let n = 0;
  const server = createServer((req, res) => handler(req, res, ++n));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  assert.ok(addr && typeof addr === 'object');
  return { url: `http://127.0.0.1:${addr.port}`, hits: () => n };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function am(
  url: string,
  o: { timeoutMs?: number; token?: string; ttlMs?: number } = {},
): AlertmanagerSource {
  return new AlertmanagerSource(
    {
      kind: 'alertmanager',
      url,
      environment: 'prod',
      timeoutMs: o.timeoutMs ?? 2000,
      ...(o.token ? { token: o.token } : {}),
    },
    { ttlMs: o.ttlMs ?? 0 },
  );
}

test('nothing listening: unreachable, retried briefly, then a clear status', async () => {
  const url = `http://127.0.0.1:${await freePort()}`;
  const started = Date.now();
  const r = await am(url).alerts();
  assert.equal(r.status.ok, false);
  assert.equal(r.value, undefined);
  assert.match(
    r.status.message,
    /^alertmanager \(prod\) at http:\/\/127\.0\.0\.1:\d+ cannot be reached \(ECONNREFUSED\)/,
  );
  assert.ok(Date.now() - started < 3000, 'retries are short');
});

test('a server slower than the timeout: headers or body, the request ends at the timeout, not retried', async () => {
  const slowHeaders = await serve(
    (_req, res) => void setTimeout(() => json(res, 200, ALERT), 5000),
  );
  const slowBody = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('[');
  });
  for (const s of [slowHeaders, slowBody]) {
    const started = Date.now();
    const r = await am(s.url, { timeoutMs: 300 }).alerts();
    const took = Date.now() - started;
    assert.match(r.status.message, /did not answer \/api\/v2\/alerts within 300 ms/);
    assert.ok(took < 1500, `took ${took} ms`);
    assert.equal(s.hits(), 1);
  }
});

test('HTTP 500 fails at once with the server reason; 503 is retried with backoff', async () => {
  const s500 = await serve((_req, res) =>
    json(res, 500, { status: 'error', error: 'query engine exploded' }),
  );
  const r = await am(s500.url).alerts();
  assert.match(r.status.message, /answered HTTP 500 for \/api\/v2\/alerts: query engine exploded/);
  assert.equal(s500.hits(), 1);
  const s503 = await serve((_req, res, n) =>
    n < 3 ? json(res, 503, { error: 'warming up' }) : json(res, 200, ALERT),
  );
  const ok = await am(s503.url).alerts();
  assert.equal(ok.status.ok, true, ok.status.message);
  assert.equal(s503.hits(), 3);
});

test('HTML instead of JSON says so (a login page or UI proxy)', async () => {
  const s = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html><body>Sign in</body></html>');
  });
  const r = await new PrometheusSource({
    kind: 'prometheus',
    url: s.url,
    environment: 'prod',
  }).functionStats(60_000);
  assert.equal(r.status.ok, false);
  assert.match(
    r.status.message,
    /with an HTML page instead of JSON; is http:\/\/127\.0\.0\.1:\d+ the API root/,
  );
});

test('a 50 MB answer is cut off at the byte cap instead of being read', async () => {
  let written = 0;
  let closed!: (early: boolean) => void;
  const closedEarly = new Promise<boolean>((r) => (closed = r));
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  const s = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.on('close', () => closed(written < 50 * chunk.length));
    const pump = () => {
      while (written < 50 * chunk.length) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  const client = new HttpClient({
    baseUrl: s.url,
    label: 'alertmanager',
    maxBytes: 8 * 1024 * 1024,
  });
  await assert.rejects(
    client.getJson('api/v2/alerts'),
    (e: unknown) =>
      e instanceof SourceError && e.reason === 'too-large' && /more than 8 MiB/.test(e.message),
  );
  // The server's answer closes when the client hangs up.
  assert.ok(await closedEarly, `the server wrote ${written} bytes`);
  const r = await am(s.url).alerts(); // the default cap (32 MiB) holds too
  assert.match(r.status.message, /answered more than 32 MiB/);
});

test('wrong credentials: a clear auth status; the token is sent but never printed, even when echoed back', async () => {
  let seen = '';
  const s = await serve((req, res) => {
    seen = req.headers.authorization ?? '';
    // A hostile or careless server echoing the credentials it got.
    json(res, 401, { error: `bad token ${req.headers.authorization}`, url: req.url });
  });
  const r = await am(s.url, { token: TOKEN }).alerts();
  assert.equal(seen, `Bearer ${TOKEN}`);
  assert.match(
    r.status.message,
    /rejected the credentials \(HTTP 401\); check PRODLENS_ALERTMANAGER_TOKEN/,
  );
  assert.ok(!r.status.message.includes(TOKEN));

  const errClient = new HttpClient({ baseUrl: s.url, token: TOKEN, label: 'x' });
  const e500 = await serve((req, res) =>
    json(res, 500, { error: `server saw ${req.headers.authorization}` }),
  );
  const other = new HttpClient({ baseUrl: e500.url, token: TOKEN, label: 'x' });
  for (const c of [errClient, other])
    await assert.rejects(
      c.getJson('api/v2/alerts'),
      (e: Error) => !e.message.includes(TOKEN) && e.message.includes('***') === (c === other),
    );

  const out = new PassThrough();
  const err = new PassThrough();
  let printed = '';
  out.on('data', (b: Buffer) => (printed += b.toString('utf8')));
  err.on('data', (b: Buffer) => (printed += b.toString('utf8')));
  process.env.PRODLENS_ALERTMANAGER_TOKEN = TOKEN;
  try {
    const code = await runAlerts(
      ['--workspace', WORKSPACE, '--source', `alertmanager=${s.url}`, '--json'],
      { stdout: out, stderr: err },
    );
    assert.equal(code, 1);
  } finally {
    delete process.env.PRODLENS_ALERTMANAGER_TOKEN;
  }
  assert.match(printed, /rejected the credentials \(HTTP 401\)/);
  assert.ok(!printed.includes(TOKEN), 'token printed');
});

test('after a failure the last good alerts come back marked stale; concurrent asks share one request', async () => {
  const s = await serve((_req, res, n) =>
    n === 1
      ? setTimeout(() => json(res, 200, ALERT), 100)
      : json(res, 500, { error: 'down for maintenance' }),
  );
  const src = am(s.url);
  const [a, b] = await Promise.all([src.alerts(), src.alerts()]);
  assert.equal(s.hits(), 1, 'in-flight de-duplication');
  assert.deepEqual(a.value, b.value);
  const stale = await src.alerts();
  assert.equal(stale.status.ok, false);
  assert.equal(stale.status.stale, true);
  assert.equal(stale.value?.[0]?.name, 'TotalsWrong');
  assert.match(stale.status.message, /HTTP 500.*down for maintenance; showing values from \d{4}-/);
  assert.equal(src.status().stale, true);
});

test('cancelling a request stops the wait at once', async () => {
  const ac = new AbortController();
  // Cancelled once the backend has the request, so the wait it stops is the one for the answer.
  const s = await serve((_req, res) => {
    setTimeout(() => json(res, 200, ALERT), 5000);
    ac.abort();
  });
  const client = new HttpClient({ baseUrl: s.url, label: 'alertmanager' });
  const started = Date.now();
  await assert.rejects(
    client.getJson('api/v2/alerts', {}, ac.signal),
    (e: unknown) => e instanceof SourceError && e.reason === 'aborted',
  );
  assert.ok(Date.now() - started < 1000);
});

test('prodlens alerts: one source down costs only its own alerts (exit 1, the rest printed)', async () => {
  const good = await serve((_req, res) => json(res, 200, ALERT));
  const down = `http://127.0.0.1:${await freePort()}`;
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  err.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const code = await runAlerts(
    [
      '--workspace',
      WORKSPACE,
      '--source',
      `alertmanager=${good.url}`,
      '--source',
      `prometheus@staging=${down}`,
      '--timeout',
      '2s',
      '--json',
    ],
    { stdout: out, stderr: err },
  );
  assert.equal(code, 1);
  const parsed = JSON.parse(stdout) as {
    sources: { kind: string; environment: string; ok: boolean }[];
    alerts: { name: string; file: string; line: number; function: string }[];
  };
  assert.deepEqual(
    parsed.sources.map((x) => [x.kind, x.environment, x.ok]),
    [
      ['alertmanager', '', true],
      ['prometheus', 'staging', false],
    ],
  );
  assert.deepEqual(
    parsed.alerts.map((a) => [a.name, a.file, a.line, a.function]),
    [['TotalsWrong', 'src/orders.ts', 22, 'totalItems']],
  );
  assert.match(
    stderr,
    /prometheus \(staging\) at http:\/\/127\.0\.0\.1:\d+ cannot be reached \(ECONNREFUSED\)/,
  );
});
