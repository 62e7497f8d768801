// Routes as real apps compose them across files: Express routers mounted from other modules with
// wrapped handlers in controller objects, Fastify autoload folders and route objects, koa-router
// prefixes, NestJS's global prefix and exact controller attributes, Hapi plugins with route
// prefixes. Every server span must land on its handler, and no other.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import type { Engine } from '../../src/core/engine/engine';
import type { Attributes } from '../../src/core/model';
import { span } from '../support/spans';

const ROOT = join(__dirname, '..', 'fixtures', 'routes-mounted');
const Q = { windowMs: 15 * 60_000 };
let engine: Engine;

before(async () => {
  ({ engine } = await createWorkspaceEngine(ROOT));
});

/** Ingests `n` spans and returns where they landed: `file#function (rule, confidence)`, or the reason they did not. */
async function landing(
  name: string,
  attributes: Attributes,
  kind = 2,
  service = `svc-${Math.random()}`,
): Promise<string> {
  const spans = Array.from({ length: 3 }, () =>
    span({ name, kind, attributes, resource: { service, environment: 'test', version: '1' } }),
  );
  engine.ingestSpans(spans);
  const series = [...engine.allSeries()].filter((s) => s.identity.service === service);
  assert.equal(series.length, 1, 'one series per route');
  const first = engine.mappingOf(series[0]!);
  // The handler's file is parsed on demand (the editor parses open files; here, the one the route names).
  if (first.file) await engine.functionsIn(first.file);
  const m = engine.mappingOf(series[0]!);
  if (!m.function) return `unmapped: ${m.explanation}`;
  return `${m.file}#${m.function.qualifiedName} (${m.rule}, ${m.confidence})`;
}

const http = (method: string, route: string): Attributes => ({
  'http.request.method': method,
  'http.route': route,
});

test('Express: routers mounted from other files, route chains, handler arrays, controllers re-exported through an index', async () => {
  assert.equal(
    await landing('GET', http('GET', '/api/users/:userId')),
    'express/controllers/user.controller.js#getUser (http.route, high)',
  );
  assert.equal(
    await landing('GET', http('GET', '/api/users')),
    'express/controllers/user.controller.js#listUsers (http.route, high)',
  );
  assert.equal(
    await landing('POST', http('POST', '/api/users')),
    'express/controllers/user.controller.js#createUser (http.route, high)',
  );
  assert.equal(
    await landing('DELETE', http('DELETE', '/api/users/:userId')),
    'express/controllers/user.controller.js#deleteUser (http.route, high)',
  );
  // A route table mounted in a loop (the hagopj13 boilerplate): [{ path, route }].forEach((r) => router.use(r.path, r.route)).
  assert.equal(
    await landing('GET', http('GET', '/v2/reports/:reportId')),
    'express/controllers/report.controller.js#getReport (http.route, high)',
  );
  // An inline arrow inside a wrapper call is the handler.
  assert.equal(
    await landing('GET /api/health', http('GET', '/api/health')),
    'express/routes/health.js#GET / (http.route, high)',
  );
});

test('a mount that cannot be followed is named with its place in the "no match" reason', async () => {
  const r = await landing('GET', http('GET', '/api/legacy/report'));
  assert.match(
    r,
    /^unmapped: no route registration .* matches GET \/api\/legacy\/report .*express\/routes\/index\.js:7 '\/legacy': the router `makeLegacyRouter\(\)` is not a router/,
  );
});

test('Express inner spans are not counted again, and say so', async () => {
  const r = await landing(
    'request handler - /api/users/:userId',
    {
      'express.type': 'request_handler',
      'express.name': '/api/users/:userId',
      'http.route': '/api/users/:userId',
    },
    1,
  );
  assert.match(
    r,
    /^unmapped: an Express request handler span \(\/api\/users\/:userId\) inside a request whose server span is mapped/,
  );
});

test('Fastify without a route on its spans: the request path is matched against autoload folders and prefixes, static before parameters', async () => {
  const get = (path: string): Attributes => ({ 'http.method': 'GET', 'http.target': path });
  assert.equal(
    await landing('GET', get('/api')),
    'fastify/routes/root.js#exports.GET / (http.route, medium)',
  );
  assert.equal(
    await landing('GET', get('/api/tasks')),
    'fastify/routes/tasks/index.js#exports.GET / (http.route, medium)',
  );
  assert.equal(
    await landing('GET', get('/api/tasks/42?full=1')),
    'fastify/routes/tasks/index.js#exports.getTask (http.route, medium)',
  );
  assert.equal(
    await landing('PUT', { 'http.method': 'PUT', 'http.target': '/api/tasks/42/done' }),
    'fastify/routes/tasks/index.js#markDone (http.route, medium)',
  );
  // One series per route, not per id: the series is named by the template the path fits.
  const service = 'fastify-ids';
  for (const id of ['1', '2', '3'])
    engine.ingestSpans([
      span({
        name: 'GET',
        kind: 2,
        attributes: get(`/api/tasks/${id}`),
        resource: { service, environment: 'test', version: '1' },
      }),
    ]);
  assert.deepEqual(
    [...engine.allSeries()]
      .filter((s) => s.identity.service === service)
      .map((s) => s.identity.spanName),
    ['GET /api/tasks/:id'],
  );
});

test('Fastify with a route (@fastify/otel): the same template through the autoload prefix', async () => {
  assert.equal(
    await landing('GET /api/tasks/:id', http('GET', '/api/tasks/:id')),
    'fastify/routes/tasks/index.js#exports.getTask (http.route, medium)',
  );
});

test('koa-router prefix, Hapi plugin route prefix and route arrays', async () => {
  assert.equal(
    await landing('GET /orders/:id', http('GET', '/orders/:id')),
    'koa/orders.js#getOrder (http.route, high)',
  );
  assert.equal(
    await landing('GET /users/{id}', http('GET', '/users/{id}')),
    'hapi/handlers.js#getUser (http.route, high)',
  );
  assert.equal(
    await landing('POST /users', http('POST', '/users')),
    'hapi/plugins/users.js#plugin.register.options.handler (http.route, high)',
  );
});

test('NestJS: the global prefix, a controller without a path, and nestjs.controller/callback mapping exactly', async () => {
  assert.equal(
    await landing('GET', http('GET', '/v2/cats/:id')),
    'nest/src/cats.controller.ts#CatsController.findOne (http.route, high)',
  );
  assert.equal(
    await landing('GET', http('GET', '/v2')),
    'nest/src/cats.controller.ts#AppController.getHello (http.route, high)',
  );
  const nest = {
    'nestjs.type': 'request_context',
    'nestjs.controller': 'CatsController',
    'nestjs.callback': 'findOne',
    'http.route': '/v2/cats/:id',
  };
  assert.equal(
    await landing('CatsController.findOne', nest, 1),
    'nest/src/cats.controller.ts#CatsController.findOne (nestjs.controller, high)',
  );
  assert.match(
    await landing('DogsController.findOne', { ...nest, 'nestjs.controller': 'DogsController' }, 1),
    /^unmapped: no @Controller class named DogsController/,
  );
});

test('one request is counted once: a NestJS request span and its server span on one handler count the requests once', async () => {
  const service = 'nest-once';
  const resource = { service, environment: 'test', version: '1' };
  for (let i = 0; i < 5; i++) {
    engine.ingestSpans([
      span({
        name: 'GET',
        kind: 2,
        durationMs: 20,
        attributes: http('GET', '/v2/cats/:id'),
        resource,
      }),
      span({
        name: 'CatsController.findOne',
        kind: 1,
        durationMs: 5,
        attributes: {
          'nestjs.type': 'request_context',
          'nestjs.controller': 'CatsController',
          'nestjs.callback': 'findOne',
        },
        resource,
      }),
    ]);
  }
  await engine.functionsIn('nest/src/cats.controller.ts');
  const row = engine
    .fileStats('nest/src/cats.controller.ts', { ...Q, environment: 'test' })
    .find(
      (r) => r.function.qualifiedName === 'CatsController.findOne' && r.services.includes(service),
    );
  assert.ok(row, 'the handler has a row');
  assert.equal(row.mapping.rule, 'nestjs.controller');
  assert.match(row.mapping.explanation, /also mapped here by http\.route are not counted again/);
  assert.ok(
    !row.seriesIds.some((id) => engine.seriesById(id)?.identity.kind === 2),
    'the server spans are not added',
  );
});

test('Python: a Flask blueprint registered with url_prefix from an app factory, a FastAPI router included with a prefix, a Django include()', async () => {
  assert.equal(
    await landing('GET /accounts/<int:account_id>', http('GET', '/accounts/<int:account_id>')),
    'flask/shop/views/accounts.py#show_account (http.route, high)',
  );
  assert.equal(
    await landing('GET /v1/items/{item_id}', http('GET', '/v1/items/{item_id}')),
    'fastapi/app/routers/items.py#read_item (http.route, high)',
  );
  assert.equal(
    await landing('GET polls/<int:question_id>/', http('GET', 'polls/<int:question_id>/')),
    'django/polls/views.py#detail (http.route, high)',
  );
});

test('Go route groups and Rails namespaces and scopes', async () => {
  assert.equal(
    await landing('GET /api/v1/users/:id', http('GET', '/api/v1/users/:id')),
    'gin/main.go#getUser (http.route, high)',
  );
  assert.equal(
    await landing('GET /healthz', http('GET', '/healthz')),
    'gin/main.go#healthz (http.route, high)',
  );
  assert.equal(
    await landing(
      'GET /admin/invoices/:id(.:format)',
      http('GET', '/admin/invoices/:id(.:format)'),
    ),
    'rails/app/controllers/admin/invoices_controller.rb#Admin.InvoicesController.show (http.route, high)',
  );
  assert.equal(
    await landing('GET /api/status(.:format)', http('GET', '/api/status(.:format)')),
    'rails/app/controllers/status_controller.rb#StatusController.show (http.route, high)',
  );
});

test('file-system routes: Next.js route handlers and API routes, Medusa API routes', async () => {
  // Next.js's own spans name the route as its folders spell it.
  assert.equal(
    await landing('GET /api/invoices/[invoiceId]', http('GET', '/api/invoices/[invoiceId]')),
    'nextjs/app/api/invoices/[invoiceId]/route.ts#GET (http.route, high)',
  );
  assert.equal(
    await landing('DELETE /api/invoices/[invoiceId]', http('DELETE', '/api/invoices/[invoiceId]')),
    'nextjs/app/api/invoices/[invoiceId]/route.ts#removeInvoice (http.route, high)',
  );
  // A route group (shop) is not part of the URL; a catch-all takes the rest of the path.
  assert.equal(
    await landing('GET /catalog/[...slug]', http('GET', '/catalog/[...slug]')),
    'nextjs/app/(shop)/catalog/[...slug]/route.ts#GET (http.route, high)',
  );
  assert.equal(
    await landing('GET /api/reports/[year]', http('GET', '/api/reports/[year]')),
    'nextjs/pages/api/reports/[year].ts#yearlyReport (http.route, high)',
  );
  // Medusa serves its file routes through Express: Express's `:id` spelling.
  assert.equal(
    await landing('POST /admin/gift-cards/:id', http('POST', '/admin/gift-cards/:id')),
    'medusa/src/api/admin/gift-cards/[id]/route.ts#POST (http.route, high)',
  );
  assert.match(
    await landing('PUT /admin/gift-cards/:id', http('PUT', '/admin/gift-cards/:id')),
    /^unmapped: /,
    'a method the route file does not export maps nowhere',
  );
});
