// Contract: the Sentry client against recorded responses shaped like Sentry's API (issues list,
// latest event with exception frames), served by a loopback fake; the frames are resolved by
// the real StackResolver in a small Python workspace; faults through the shared HttpClient.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fakeBackends } from '../support/fake-backend';
import { SourceError } from '../../src/core/sources/http-client';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import { SentrySource } from '../../src/core/sources/sentry';
import { BackendErrors } from '../../src/core/insights/backend-errors';
import { StackResolver } from '../../src/core/stacktrace/resolve';

const TOKEN = 'sntrys_secret_6c1e9a3f';
const backends = fakeBackends('sentry');
const fake = backends.fake;
after(() => backends.close());
const sentry = (url: string, token?: string) =>
  new SentrySource(
    { kind: 'sentry', url, environment: 'prod', timeoutMs: 2000, ...(token ? { token } : {}) },
    { organization: 'acme', project: 'checkout' },
  );

test('contract: sentry issues for the project and environment, with the token as Bearer', async () => {
  let auth = '';
  const s = await fake((u, req) => {
    auth = req.headers.authorization ?? '';
    return u.pathname === '/api/0/projects/acme/checkout/issues/'
      ? { fixture: 'issues.json' }
      : u.pathname === '/api/0/projects/acme/checkout/'
        ? { fixture: 'project.json' }
        : { status: 404, body: '{"detail":"Not found"}' };
  });
  const issues = await sentry(s.url, TOKEN).issues({ statsPeriod: '24h' });
  assert.equal(auth, `Bearer ${TOKEN}`);
  const q = s.asked[0]?.searchParams;
  assert.equal(q?.get('query'), 'is:unresolved');
  assert.equal(q?.get('environment'), 'prod');
  assert.equal(q?.get('statsPeriod'), '24h');
  assert.deepEqual(issues, [
    {
      id: '1341191803',
      shortId: 'CHECKOUT-1A',
      title: "KeyError: 'A1'",
      culprit: 'svc.api in get_order',
      count: 87,
      userCount: 12,
      firstSeen: '2026-01-01T00:00:00Z',
      lastSeen: '2026-01-01T00:41:00Z',
      level: 'error',
      status: 'unresolved',
      permalink: 'https://sentry.example.invalid/organizations/acme/issues/1341191803/',
      source: 'sentry',
      environment: 'prod',
    },
  ]);
  assert.match(
    (await sentry(s.url, TOKEN).testConnection()).message,
    /^ok \(Sentry project checkout\)/,
  );
});

test('contract: sentry latest event frames (camelCase and snake_case) resolve to workspace functions', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'prodlens-sentry-'));
  try {
    mkdirSync(join(ws, 'svc'));
    writeFileSync(
      join(ws, 'svc', 'api.py'),
      `${'\n'.repeat(17)}def get_order(req):\n    oid = req.args['id']\n    return load(oid)\n`,
    );
    writeFileSync(
      join(ws, 'svc', 'orders.py'),
      `${'\n'.repeat(48)}def load(oid):\n    orders = {}\n    return orders[oid]\n`,
    );
    const s = await fake((u) =>
      u.pathname === '/api/0/issues/1341191803/events/latest/'
        ? { fixture: 'event-latest.json' }
        : { status: 404, body: '{"detail":"Not found"}' },
    );
    const ev = await sentry(s.url).latestEventStack('1341191803');
    assert.equal(ev.eventId, '9f2c4e1a7b3d4c5e8f6a0b1c2d3e4f5a');
    assert.equal(ev.stack.exceptions[0]?.type, 'KeyError');
    assert.equal(ev.stack.exceptions[0]?.innermostFirst, false);
    assert.deepEqual(
      ev.stack.frames.map((f) => [f.language, f.file, f.line, f.function, f.kind]),
      [
        [
          'python',
          '/usr/lib/python3.12/site-packages/flask/app.py',
          880,
          'dispatch_request',
          'dependency',
        ],
        ['python', '/app/svc/api.py', 20, 'get_order', 'app'],
        ['python', '/app/svc/orders.py', 51, 'load', 'app'],
        ['python', '/app/svc/cache.py', 9, 'lookup', 'dependency'],
      ],
    );
    assert.match(ev.stack.frames[3]?.kindReason ?? '', /not in-app/);
    const { engine } = await createWorkspaceEngine(ws);
    const resolved = await new StackResolver({
      files: engine.files,
      functions: engine.codeLookup().functions,
    }).resolveAll(ev.stack.frames);
    assert.deepEqual(
      resolved.map((r) => [r.file, r.line, r.function?.name ?? null, r.inWorkspace]),
      [
        [null, null, null, false],
        ['svc/api.py', 20, 'get_order', true],
        ['svc/orders.py', 51, 'load', true],
        [null, null, null, false],
      ],
    );
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});

test('contract: sentry falls back to the organization-scoped event path; faults keep the token out', async () => {
  const s = await fake((u) =>
    u.pathname === '/api/0/organizations/acme/issues/1341191803/events/latest/'
      ? { fixture: 'event-latest.json' }
      : { status: 404, body: '{"detail":"Not found"}' },
  );
  assert.equal((await sentry(s.url).latestEventStack('1341191803')).stack.frames.length, 4);
  const html = await fake(() => ({
    body: '<!DOCTYPE html><html>Sign in to Sentry</html>',
    type: 'text/html',
  }));
  await assert.rejects(
    sentry(html.url).issues(),
    (e: unknown) => e instanceof SourceError && e.reason === 'not-json',
  );
  const down = await fake(() => ({
    status: 500,
    body: JSON.stringify({ detail: 'Internal Error' }),
  }));
  await assert.rejects(
    sentry(down.url).issues(),
    (e: unknown) => e instanceof SourceError && e.status === 500,
  );
  const auth = await fake((_u, req) => ({
    status: 401,
    body: JSON.stringify({ detail: `Invalid token ${req.headers.authorization}` }),
  }));
  const src = sentry(auth.url, TOKEN);
  await assert.rejects(
    src.latestEventStack('1341191803'),
    (e: unknown) =>
      e instanceof SourceError &&
      e.reason === 'auth' &&
      !e.message.includes(TOKEN) &&
      /PRODLENS_SENTRY_TOKEN/.test(e.message),
  );
  const status = await src.testConnection();
  assert.equal(status.ok, false);
  assert.ok(!status.message.includes(TOKEN));
  await assert.rejects(src.latestEventStack('../../admin'), /is not a Sentry issue id/);
});

test('contract: sentry issues become errors on the throwing line (BackendErrors): cached, marked by source, stale on outage', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'prodlens-sentry-errors-'));
  try {
    mkdirSync(join(ws, 'svc'));
    writeFileSync(
      join(ws, 'svc', 'api.py'),
      `${'\n'.repeat(17)}def get_order(req):\n    oid = req.args['id']\n    return load(oid)\n`,
    );
    writeFileSync(
      join(ws, 'svc', 'orders.py'),
      `${'\n'.repeat(48)}def load(oid):\n    orders = {}\n    return orders[oid]\n`,
    );
    let down = false;
    const s = await fake((u) =>
      down
        ? { status: 503, body: '{"detail":"maintenance"}' }
        : u.pathname === '/api/0/projects/acme/checkout/issues/'
          ? { fixture: 'issues.json' }
          : u.pathname === '/api/0/issues/1341191803/events/latest/'
            ? { fixture: 'event-latest.json' }
            : { status: 404, body: '{"detail":"Not found"}' },
    );
    let now = Date.parse('2026-01-01T00:45:00Z');
    const feed = new BackendErrors({ ttlMs: 60_000, now: () => now });
    const src = sentry(s.url, TOKEN);
    const first = await feed.refresh([src], 15 * 60_000);
    assert.deepEqual(
      first.map((r) => [r.status.ok, r.issues, r.eventFailures]),
      [[true, 1, 0]],
    );
    assert.equal(s.asked.length, 2, 'one issue list, one latest event');
    assert.equal(s.asked[0]?.searchParams.get('statsPeriod'), '24h');
    assert.equal(s.asked[0]?.searchParams.get('environment'), 'prod');

    const { engine } = await createWorkspaceEngine(ws);
    const resolver = new StackResolver({
      files: engine.files,
      functions: engine.codeLookup().functions,
    });
    const since = now - 15 * 60_000;
    const [e, ...more] = await feed.locate(resolver, since, 'v1');
    assert.equal(more.length, 0);
    assert.ok(e);
    assert.deepEqual(
      [e.top.file, e.top.line, e.top.function?.name],
      ['svc/orders.py', 51, 'load'],
      'the innermost in-app frame in the workspace',
    );
    assert.deepEqual(
      e.frames.map((f) => [f.file, f.line]),
      [
        [null, null],
        ['svc/orders.py', 51],
        ['svc/api.py', 20],
        [null, null],
      ],
      'innermost first',
    );
    assert.deepEqual(
      [e.group.type, e.group.message, e.group.count, e.group.origin, e.group.lastSeenMs],
      ['KeyError', "'A1'", 87, 'backend', Date.parse('2026-01-01T00:41:00Z')],
    );
    assert.deepEqual(e.group.backend, {
      label: 'Sentry (prod)',
      environment: 'prod',
      stale: false,
      url: 'https://sentry.example.invalid/organizations/acme/issues/1341191803/',
      shortId: 'CHECKOUT-1A',
    });
    assert.equal(
      (await feed.locate(resolver, Date.parse('2026-01-01T00:42:00Z'), 'v1')).length,
      0,
      'last seen before the window: left out',
    );

    // Within the TTL nothing is asked; after it only the issue list (the event is the same occurrence).
    await feed.refresh([src], 15 * 60_000);
    assert.equal(s.asked.length, 2);
    now += 61_000;
    await feed.refresh([src], 15 * 60_000);
    assert.equal(s.asked.length, 3);
    assert.equal(s.asked[2]?.pathname, '/api/0/projects/acme/checkout/issues/');

    // Down: the last issues stay, marked stale, with a status that names the failure and not the token.
    down = true;
    now += 61_000;
    const [r] = await feed.refresh([src], 15 * 60_000);
    assert.ok(r);
    assert.equal(r.status.ok, false);
    assert.equal(r.status.stale, true);
    assert.match(r.status.message, /503/);
    assert.ok(!r.status.message.includes(TOKEN));
    const [stale] = await feed.locate(resolver, since, 'v1');
    assert.equal(stale?.group.backend?.stale, true);
    assert.equal(stale?.top.line, 51);

    // A 7-day window asks Sentry for its 14-day period; a source never reached holds nothing.
    down = false;
    await feed.refresh([src], 7 * 24 * 3_600_000);
    assert.equal(s.asked.at(-2)?.searchParams.get('statsPeriod'), '14d');
    const empty = new BackendErrors();
    const [none] = await empty.refresh([sentry('http://127.0.0.1:9')], 60_000);
    assert.equal(none?.status.ok, false);
    assert.equal(empty.size, 0);
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});
