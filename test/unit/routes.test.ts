import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import type { Engine } from '../../src/core/engine/engine';
import {
  extractRouteFacts,
  extractRoutes,
  type RouteRegistration,
} from '../../src/core/routes/route-extract';
import { RouteIndex } from '../../src/core/routes/route-index';
import { canonicalRoute, routeOfSpan } from '../../src/core/routes/route-pattern';
import { span } from '../support/spans';

const ROOT = join(__dirname, '..', 'fixtures', 'routes');
const Q = { windowMs: 15 * 60_000 };

function routesOf(file: string): RouteRegistration[] {
  return extractRoutes(file, readFileSync(join(ROOT, file), 'utf8'));
}

const summary = (r: RouteRegistration) =>
  `${r.method} ${r.route} @${r.line} ${r.handler.kind}${r.handler.kind === 'named' ? `:${r.handler.name}` : ''}`;

test('route templates of every framework family compare in one canonical form', () => {
  assert.equal(canonicalRoute('/orders/:id'), '/orders/{}');
  assert.equal(canonicalRoute('/orders/{id}'), '/orders/{}');
  assert.equal(canonicalRoute('/orders/{id:int}/'), '/orders/{}');
  assert.equal(canonicalRoute('orders/<int:pk>/'), '/orders/{}');
  assert.equal(canonicalRoute('/files/{path...}'), '/files/{*}');
  assert.equal(canonicalRoute('/orders/:id(.:format)'), '/orders/{}');
  assert.equal(canonicalRoute('/Orders/42?x=1'), '/orders/42');
  assert.equal(canonicalRoute(''), '/');
  assert.equal(canonicalRoute('/orders/[id]/items/[...rest]'), '/orders/{}/items/{*}');
  assert.equal(canonicalRoute('/docs/[[...slug]]'), '/docs/{*}');
});

test('a server span names its route by http.route, else by a "METHOD /path" span name', () => {
  assert.deepEqual(
    routeOfSpan('GET', { 'http.route': '/orders/:id', 'http.request.method': 'GET' }),
    { method: 'GET', template: '/orders/:id', from: 'http.route' },
  );
  assert.deepEqual(routeOfSpan('POST /orders', {}), {
    method: 'POST',
    template: '/orders',
    from: 'span name',
  });
  assert.deepEqual(routeOfSpan('GET', { 'http.method': 'get', 'http.route': '/x' }), {
    method: 'GET',
    template: '/x',
    from: 'http.route',
  });
  assert.equal(routeOfSpan('process-payment', {}), undefined);
});

test('Express: inline, named, imported and wrapped handlers', () => {
  assert.deepEqual(routesOf('express/server.js').map(summary), [
    'GET /orders/{} @8 inline',
    'POST /orders @12 named:orders.create',
    'DELETE /orders/{} @13 named:cancelOrder',
    'GET /health @14 inline',
  ]);
  const del = routesOf('express/server.js')[2]!;
  assert.equal(del.handler.kind === 'named' && del.handler.module, './handlers/orders');
});

test('NestJS, Flask (blueprint prefix, methods=), FastAPI (router prefix), Django, Spring, ASP.NET, Go, Rails', () => {
  assert.deepEqual(routesOf('nest/orders.controller.ts').map(summary), [
    'GET /admin/orders/{} @5 decorated',
    'POST /admin/orders @10 decorated',
  ]);
  assert.deepEqual(routesOf('flask/app.py').map(summary), [
    'GET /invoices/{} @7 decorated',
    'DELETE /invoices/{} @7 decorated',
    'POST /billing/refunds @12 decorated',
  ]);
  assert.deepEqual(routesOf('fastapi/main.py').map(summary), [
    'GET /carts/{} @7 decorated',
    'PUT /users/{} @12 decorated',
  ]);
  assert.deepEqual(routesOf('django/shop/urls.py').map(summary), [
    'ANY /products/{} @6 named:views.product_detail',
    'ANY /products @7 named:views.ProductList',
  ]);
  assert.deepEqual(routesOf('spring/OrderController.java').map(summary), [
    'GET /api/orders/{} @9 decorated',
    'POST /api/orders/{}/cancel @14 decorated',
  ]);
  assert.deepEqual(routesOf('aspnet/PaymentsController.cs').map(summary), [
    'GET /api/payments/{} @7 decorated',
    'POST /api/payments @13 decorated',
  ]);
  assert.deepEqual(routesOf('aspnet/Program.cs').map(summary), [
    'GET /status/{} @2 named:Handlers.Status',
  ]);
  assert.deepEqual(routesOf('go/main.go').map(summary), [
    'GET /shipments/{} @21 named:getShipment',
    'GET /warehouses/{} @24 named:a.ListWarehouses',
  ]);
  assert.deepEqual(routesOf('rails/config/routes.rb').map(summary), [
    'GET /reports/{} @3 named:yearly',
    'POST /webhooks/stripe @4 named:stripe',
    'GET /receipts @2 named:index',
    'GET /receipts/{} @2 named:show',
  ]);
});

test('text that only looks like a route is not one', () => {
  const text =
    "const v = cache.get('/orders/1');\nheaders.get('content-type', 'x');\nmap.get(key, () => 1);\n";
  assert.deepEqual(extractRoutes('x.js', text), []);
  assert.deepEqual(
    extractRoutes('notes.md', "app.get('/x', h)"),
    [],
    'unknown languages are skipped',
  );
});

test('route matching: same template high, concrete path and mounted router medium, equal candidates ambiguous', async () => {
  const index = new RouteIndex();
  index.set(
    'a.js',
    extractRoutes('a.js', "app.get('/orders/:id', (req, res) => {});\napp.get('/health', h);\n"),
  );
  // Registered on an application object: the paths are the real ones (a.js's `app` is not created in a.js, so its routes match like b.js's).
  index.set(
    'c.js',
    extractRouteFacts('c.js', "const app = express();\napp.get('/carts/:id', (req, res) => {});\n"),
  );
  assert.equal(
    index.match({ method: 'GET', template: '/carts/{id}', from: 'http.route' }).confidence,
    'high',
  );
  assert.equal(
    index.match({ method: 'GET', template: '/orders/{id}', from: 'http.route' }).confidence,
    'medium',
    'a router never seen mounted: only its end is known',
  );
  index.set(
    'b.js',
    extractRoutes('b.js', "router.get('/health', h2);\nrouter.get('/items/:sku', h3);\n"),
  );
  // Routes already joined are joined again in the background after an edit; the old ones answer meanwhile.
  assert.equal(
    index.match({ method: 'GET', template: '/api/v1/items/:sku', from: 'http.route' }).confidence,
    'none',
  );
  await index.settled();
  assert.equal(
    index.match({ method: 'GET', template: '/orders/42', from: 'span name' }).confidence,
    'medium',
  );
  const mounted = index.match({
    method: 'GET',
    template: '/api/v1/items/:sku',
    from: 'http.route',
  });
  assert.equal(mounted.confidence, 'medium');
  assert.equal(mounted.registration?.file, 'b.js');
  const health = index.match({ method: 'GET', template: '/health', from: 'http.route' });
  assert.equal(health.confidence, 'ambiguous');
  assert.deepEqual(health.candidates, ['a.js:2 (GET /health)', 'b.js:1 (GET /health)']);
  assert.equal(
    index.match({ method: 'POST', template: '/orders/:id', from: 'http.route' }).confidence,
    'none',
    'the method must agree',
  );
  assert.match(
    index.match({ method: 'GET', template: '/nope', from: 'http.route' }).explanation,
    /no route registration .* matches GET \/nope \(5 routes indexed\)/,
  );
});

let engine: Engine;

before(async () => {
  ({ engine } = await createWorkspaceEngine(ROOT));
  const server = (name: string, attributes: Record<string, string>, durationMs: number) =>
    span({ name, kind: 2, durationMs, attributes });
  const spans = [];
  for (let i = 0; i < 20; i++) {
    spans.push(
      server('GET', { 'http.request.method': 'GET', 'http.route': '/orders/:id' }, 10 + i),
    );
    spans.push(
      server('POST /orders', { 'http.request.method': 'POST', 'http.route': '/orders' }, 30),
    );
    spans.push(
      server(
        'GET /api/orders/{id}',
        { 'http.request.method': 'GET', 'http.route': '/api/orders/{id}' },
        5,
      ),
    );
    spans.push(
      server(
        'GET /invoices/<int:invoice_id>',
        { 'http.request.method': 'GET', 'http.route': '/invoices/<int:invoice_id>' },
        7,
      ),
    );
    spans.push(
      server('GET', { 'http.request.method': 'GET', 'http.route': '/products/<int:pk>/' }, 4),
    );
    spans.push(
      server(
        'GET /shipments/{id}',
        { 'http.request.method': 'GET', 'http.route': '/shipments/{id}' },
        2,
      ),
    );
    spans.push(
      server(
        'GET /receipts/:id(.:format)',
        { 'http.request.method': 'GET', 'http.route': '/receipts/:id(.:format)' },
        3,
      ),
    );
  }
  engine.ingestSpans(spans);
});

async function statsOf(file: string) {
  await engine.functionsIn(file);
  return engine.fileStats(file, Q).map((s) => ({
    fn: s.function.qualifiedName,
    count: s.stats.count,
    rule: s.mapping.rule,
    confidence: s.mapping.confidence,
  }));
}

test('server spans without code attributes reach their handlers through the route index', async () => {
  assert.ok(engine.routeCount >= 15, `routes indexed: ${engine.routeCount}`);
  assert.deepEqual(await statsOf('express/server.js'), [
    { fn: 'GET /orders/:id', count: 20, rule: 'http.route', confidence: 'high' },
  ]);
  // The POST handler is imported from another module: the lens goes where the function is.
  assert.deepEqual(await statsOf('express/handlers/orders.js'), [
    { fn: 'create', count: 20, rule: 'http.route', confidence: 'high' },
  ]);
  assert.deepEqual(await statsOf('spring/OrderController.java'), [
    { fn: 'OrderController.getOrder', count: 20, rule: 'http.route', confidence: 'high' },
  ]);
  assert.deepEqual(await statsOf('flask/app.py'), [
    { fn: 'invoice', count: 20, rule: 'http.route', confidence: 'high' },
  ]);
  assert.deepEqual(await statsOf('django/shop/views.py'), [
    { fn: 'product_detail', count: 20, rule: 'http.route', confidence: 'high' },
  ]);
  assert.deepEqual(await statsOf('go/main.go'), [
    { fn: 'getShipment', count: 20, rule: 'http.route', confidence: 'high' },
  ]);
  // Rails: config/routes.rb's resources → the controller action in app/controllers.
  assert.deepEqual(await statsOf('rails/app/controllers/receipts_controller.rb'), [
    { fn: 'ReceiptsController.show', count: 20, rule: 'http.route', confidence: 'high' },
  ]);
});

test('a span named only by its method still gets one series per route, explained', async () => {
  const series = [...engine.allSeries()].filter((s) => s.identity.route);
  assert.ok(
    series.some((s) => s.identity.spanName === 'GET /orders/:id'),
    'named the HTTP-conventions way',
  );
  await engine.functionsIn('express/server.js');
  const stats = engine.fileStats('express/server.js', Q)[0]!;
  assert.match(
    stats.mapping.explanation,
    /http\.route GET \/orders\/:id: express\/server\.js:8 registers the same route \(express GET \/orders\/:id\); the handler is the function at line 8/,
  );
});

test('editing a file re-indexes its routes and remaps', async () => {
  const file = 'go/main.go';
  const before = engine.routesVersion;
  await engine.sourceChanged(
    file,
    readFileSync(join(ROOT, file), 'utf8').replace('"GET /shipments/{id}"', '"GET /parcels/{id}"'),
  );
  await engine.routesSettled();
  assert.notEqual(engine.routesVersion, before);
  assert.deepEqual(await statsOf(file), []);
  const unmapped = engine
    .unmapped(Q)
    .find((u) => u.series.identity.spanName === 'GET /shipments/{id}');
  assert.match(
    unmapped?.mapping.explanation ?? '',
    /no route registration in the workspace matches GET \/shipments\/\{id\}/,
  );
  await engine.sourceChanged(file, readFileSync(join(ROOT, file), 'utf8'));
  await engine.routesSettled();
  assert.equal((await statsOf(file))[0]?.fn, 'getShipment');
});

test('bad input: a minified one-line bundle and binary junk index without a hang, partial results kept', () => {
  const chunk =
    'var a=require("x");a.get("/api/items/:id",function(b,c){logger.info(`item ${b.id} served`);c.json(1)});';
  const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))
    .toString('latin1')
    .replace(/[\r\n]/g, ' ');
  const bundle = `${chunk}${"x.get('/unterminated".repeat(2000)}${junk}${chunk.repeat(200)}`;
  const routes = extractRoutes('dist/bundle.min.js', bundle);
  assert.equal(routes.length, 201);
  assert.ok(routes.every((r) => r.route === '/api/items/{}' && r.line === 1));
  assert.deepEqual(extractRoutes('x.js', junk), []);
});
