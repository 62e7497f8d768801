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
import { StackResolver } from '../../src/core/stacktrace/resolve';

const TOKEN = 'sntrys_secret_6c1e9a3f';
const backends = fakeBackends('sentry');
const fake = backends.fake;
after(() => backends.close());
const sentry = (url: string, token?: string) => new SentrySource({ kind: 'sentry', url, environment: 'prod', timeoutMs: 2000, ...(token ? { token } : {}) }, { organization: 'acme', project: 'checkout' });

test('contract: sentry issues for the project and environment, with the token as Bearer', async () => {
  let auth = '';
  const s = await fake((u, req) => {
    auth = req.headers.authorization ?? '';
    return u.pathname === '/api/0/projects/acme/checkout/issues/' ? { fixture: 'issues.json' } : u.pathname === '/api/0/projects/acme/checkout/' ? { fixture: 'project.json' } : { status: 404, body: '{"detail":"Not found"}' };
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
  assert.match((await sentry(s.url, TOKEN).testConnection()).message, /^ok \(Sentry project checkout\)/);
});

test('contract: sentry latest event frames (camelCase and snake_case) resolve to workspace functions', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'prodlens-sentry-'));
  try {
    mkdirSync(join(ws, 'svc'));
    writeFileSync(join(ws, 'svc', 'api.py'), `${'\n'.repeat(17)}def get_order(req):\n    oid = req.args['id']\n    return load(oid)\n`);
    writeFileSync(join(ws, 'svc', 'orders.py'), `${'\n'.repeat(48)}def load(oid):\n    orders = {}\n    return orders[oid]\n`);
    const s = await fake((u) => (u.pathname === '/api/0/issues/1341191803/events/latest/' ? { fixture: 'event-latest.json' } : { status: 404, body: '{"detail":"Not found"}' }));
    const ev = await sentry(s.url).latestEventStack('1341191803');
    assert.equal(ev.eventId, '9f2c4e1a7b3d4c5e8f6a0b1c2d3e4f5a');
    assert.equal(ev.stack.exceptions[0]?.type, 'KeyError');
    assert.equal(ev.stack.exceptions[0]?.innermostFirst, false);
    assert.deepEqual(
      ev.stack.frames.map((f) => [f.language, f.file, f.line, f.function, f.kind]),
      [
        ['python', '/usr/lib/python3.12/site-packages/flask/app.py', 880, 'dispatch_request', 'dependency'],
        ['python', '/app/svc/api.py', 20, 'get_order', 'app'],
        ['python', '/app/svc/orders.py', 51, 'load', 'app'],
        ['python', '/app/svc/cache.py', 9, 'lookup', 'dependency'],
      ],
    );
    assert.match(ev.stack.frames[3]?.kindReason ?? '', /not in-app/);
    const { engine } = await createWorkspaceEngine(ws);
    const resolved = await new StackResolver({ files: engine.files, functions: engine.functions }).resolveAll(ev.stack.frames);
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
  const s = await fake((u) => (u.pathname === '/api/0/organizations/acme/issues/1341191803/events/latest/' ? { fixture: 'event-latest.json' } : { status: 404, body: '{"detail":"Not found"}' }));
  assert.equal((await sentry(s.url).latestEventStack('1341191803')).stack.frames.length, 4);
  const html = await fake(() => ({ body: '<!DOCTYPE html><html>Sign in to Sentry</html>', type: 'text/html' }));
  await assert.rejects(sentry(html.url).issues(), (e: unknown) => e instanceof SourceError && e.reason === 'not-json');
  const down = await fake(() => ({ status: 500, body: JSON.stringify({ detail: 'Internal Error' }) }));
  await assert.rejects(sentry(down.url).issues(), (e: unknown) => e instanceof SourceError && e.status === 500);
  const auth = await fake((_u, req) => ({ status: 401, body: JSON.stringify({ detail: `Invalid token ${req.headers.authorization}` }) }));
  const src = sentry(auth.url, TOKEN);
  await assert.rejects(src.latestEventStack('1341191803'), (e: unknown) => e instanceof SourceError && e.reason === 'auth' && !e.message.includes(TOKEN) && /PRODLENS_SENTRY_TOKEN/.test(e.message));
  const status = await src.testConnection();
  assert.equal(status.ok, false);
  assert.ok(!status.message.includes(TOKEN));
  await assert.rejects(src.latestEventStack('../../admin'), /is not a Sentry issue id/);
});
