'use strict';
// The one way business code makes spans: `traced(name, fn)`. It stamps the OpenTelemetry code.*
// attributes from the caller's own location, so ProdLens can map each span to the function that
// calls `traced` without any configuration.
const { trace, SpanStatusCode, SpanKind } = require('@opentelemetry/api');
const { fileURLToPath } = require('node:url');

const tracer = trace.getTracer('demo-shop');

/** name -> code.* attributes. Each name has one call site, so its stack is parsed once. */
const sites = new Map();

function parseFrame(frame) {
  // V8 frames: "at Class.method (/abs/file.js:12:5)" or "at /abs/file.js:12:5".
  const m = /\((.+):(\d+):(\d+)\)\s*$/.exec(frame) || /at (.+):(\d+):(\d+)\s*$/.exec(frame);
  if (!m) return undefined;
  const file = m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1];
  return { file, line: Number(m[2]), column: Number(m[3]) };
}

function codeAttributes(name) {
  let attrs = sites.get(name);
  if (attrs) return attrs;
  const holder = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 1; // only the caller's frame is needed
  Error.captureStackTrace(holder, traced); // frames above `traced` are left out
  Error.stackTraceLimit = limit;
  const site = parseFrame(String(holder.stack).split('\n')[1] || '');
  attrs = { 'code.function.name': name };
  if (site) {
    attrs['code.file.path'] = site.file;
    attrs['code.line.number'] = site.line;
    attrs['code.column.number'] = site.column;
  }
  sites.set(name, attrs);
  return attrs;
}

function fail(span, err) {
  span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err && err.message ? err.message : String(err) });
  span.end();
  throw err;
}

/**
 * Runs `fn(span)` inside a span called `name` (the qualified function name, e.g.
 * `OrderService.placeOrder`). Works for sync and async functions; a throw or rejection is recorded
 * on the span with ERROR status and rethrown. Must be called directly from the function it
 * measures, since that call site becomes code.file.path / code.line.number.
 */
function traced(name, fn, options = {}) {
  const attributes = { ...codeAttributes(name), ...options.attributes };
  return tracer.startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes }, (span) => {
    let result;
    try {
      result = fn(span);
    } catch (err) {
      fail(span, err);
    }
    if (result && typeof result.then === 'function') {
      return result.then((value) => {
        span.end();
        return value;
      }, (err) => fail(span, err));
    }
    span.end();
    return result;
  });
}

module.exports = { traced, tracer, SpanKind, SpanStatusCode };
