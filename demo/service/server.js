'use strict';
// demo-shop's HTTP front door: plain node:http routing, one SERVER span per request.
// Run: node server.js   (DEMO_PORT, OTEL_EXPORTER_OTLP_ENDPOINT; see ../README.md)
const { shutdownTelemetry } = require('./telemetry'); // first: providers before any span or log
const http = require('node:http');
const { context, trace } = require('@opentelemetry/api');
const { tracer, SpanKind, SpanStatusCode } = require('./tracing');
const { log } = require('./log');
const { OrderService } = require('./orders');
const { checkStock, OutOfStockError } = require('./inventory');
const { PaymentError } = require('./payments');

const orders = new OrderService();

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function readJson(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  try {
    return body ? JSON.parse(body) : {};
  } catch {
    throw new HttpError(400, 'body is not JSON');
  }
}

/** [method, route template, pattern, handler(match, req) -> [status, body]] */
const routes = [
  ['GET', '/orders', /^\/orders\/?$/, async (_m, _req, url) => [200, await orders.listOrders(Number(url.searchParams.get('limit')) || 20)]],
  ['GET', '/orders/:id', /^\/orders\/([\w-]+)$/, async (m) => {
    const order = await orders.getOrder(m[1]);
    if (!order) throw new HttpError(404, `no order ${m[1]}`);
    return [200, order];
  }],
  ['POST', '/orders', /^\/orders\/?$/, async (_m, req) => {
    const { customerId, items } = await readJson(req);
    if (typeof customerId !== 'string' || !Array.isArray(items) || items.length === 0) throw new HttpError(400, 'need customerId and items');
    return [201, await orders.placeOrder(customerId, items)];
  }],
  ['GET', '/inventory/:sku', /^\/inventory\/([\w-]+)$/, async (m) => [200, { sku: m[1], available: await checkStock(m[1]) }]],
];

/** Business errors become 4xx; payment gateway trouble 502; anything else 500. */
function statusFor(err) {
  if (err instanceof HttpError) return err.status;
  if (err instanceof OutOfStockError) return 409;
  if (err instanceof PaymentError) return err.code === 'card_declined' ? 402 : 502;
  return 500;
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/healthz') return send(res, 200, { ok: true });
  let match;
  const route = routes.find(([method, , pattern]) => method === req.method && (match = pattern.exec(url.pathname)));
  if (!route) return send(res, 404, { error: 'not found' });
  const [method, template, , handler] = route;
  const attributes = { 'http.request.method': method, 'http.route': template, 'url.path': url.pathname, 'url.scheme': 'http' };
  tracer.startActiveSpan(`${method} ${template}`, { kind: SpanKind.SERVER, attributes }, async (span) => {
    let status;
    try {
      const [ok, body] = await handler(match, req, url);
      status = ok;
      send(res, status, body);
    } catch (err) {
      status = statusFor(err);
      // Per the HTTP conventions a server span is an error only for 5xx; 4xx are the client's.
      if (status >= 500) {
        span.recordException(err);
        span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
        log.error(`request failed ${method} ${template} status=${status}: ${err.message}`, err);
      }
      send(res, status, { error: err.message });
    } finally {
      span.setAttribute('http.response.status_code', status ?? 500);
      span.end();
    }
  });
}

const server = http.createServer((req, res) => context.with(trace.deleteSpan(context.active()), () => handle(req, res)));

function listen(port, fallbackToFree) {
  server.once('error', (err) => {
    if (err.code === 'EADDRINUSE' && fallbackToFree) return listen(0, false);
    console.error(`demo-shop: cannot listen on ${port}: ${err.message}`);
    process.exit(1);
  });
  server.listen(port, '127.0.0.1', () => {
    console.log(`demo-shop listening on http://127.0.0.1:${server.address().port}`);
  });
}
// An explicit DEMO_PORT is honoured or fails; the default 8080 falls back to any free port.
listen(Number(process.env.DEMO_PORT ?? 8080), process.env.DEMO_PORT === undefined);

async function stop() {
  server.close();
  server.closeAllConnections();
  const timeout = new Promise((resolve) => setTimeout(resolve, 3000).unref());
  await Promise.race([shutdownTelemetry(), timeout]); // flush, but never hang on a dead receiver
  process.exit(0);
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
