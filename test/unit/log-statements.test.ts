import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import type { Engine } from '../../src/core/engine/engine';
import { LogIndex } from '../../src/core/logs/log-index';
import { parseLogLine } from '../../src/core/logs/log-lines';
import { extractLogStatements, type LogStatement } from '../../src/core/logs/log-statements';
import type { LogRecordData } from '../../src/core/model';

const ROOT = join(__dirname, '..', 'fixtures', 'logs');
const of = (file: string) => extractLogStatements(file, readFileSync(join(ROOT, file), 'utf8'));
const brief = (s: LogStatement) =>
  `${s.line} ${s.level} ${JSON.stringify(s.parts)}${s.anchoredStart ? '' : ' …start'}${s.anchoredEnd ? '' : ' …end'}`;

test('JavaScript: template literals, printf placeholders, concatenation; unrecognisable messages skipped', () => {
  assert.deepEqual(of('orders.js').map(brief), [
    '4 info ["order placed orderId="," total="] …end',
    '5 warn ["stock low for sku "," ("," left)"]',
    '6 error ["payment failed for customer "] …end',
    '7 debug ["cache miss"]',
  ]);
});

test('Python: %-formatting, f-strings, str.format, print, logger.exception', () => {
  assert.deepEqual(of('billing.py').map(brief), [
    '7 info ["charging invoice "," for "] …end',
    '8 warn ["retrying charge for "," after "," attempts"]',
    '9 error ["charge "," declined: "] …end',
    '10 print ["charged"]',
    '11 error ["unexpected gateway reply "] …end',
  ]);
});

test('Java slf4j {} and String.format, Go slog/printf/zap, .NET message templates', () => {
  assert.deepEqual(of('Shipping.java').map(brief), [
    '7 info ["shipping order "," in "," parcels"]',
    '8 warn ["carrier "," is slow"]',
  ]);
  assert.deepEqual(of('worker.go').map(brief), [
    '6 info ["job started"]',
    '7 print ["job "," finished in ","ms"]',
    '8 error ["job failed"]',
  ]);
  assert.deepEqual(of('Payments.cs').map(brief), [
    '5 info ["Refund issued for order "] …end',
    '6 error ["Refund "," rejected by "] …end',
  ]);
});

test('PHP: interpolation and string joins with `.`', () => {
  const text =
    '<?php\nLog::warn("coupon $code is unknown");\n$this->logger->info("redeemed " . count($s) . " of {$total}");\n';
  assert.deepEqual(extractLogStatements('Coupons.php', text).map(brief), [
    '2 warn ["coupon "," is unknown"]',
    '3 info ["redeemed "] …end',
  ]);
});

test('a printed message finds its statement; equal fits are ambiguous; severity breaks ties', () => {
  const index = new LogIndex();
  for (const f of ['orders.js', 'billing.py', 'Shipping.java', 'worker.go', 'Payments.cs'])
    index.set(f, of(f));
  const m = index.match('order placed orderId=o-17 total=42.50', 'info');
  assert.equal(m.statement?.file, 'orders.js');
  assert.equal(m.statement?.line, 4);
  assert.equal(m.confidence, 'high');
  assert.equal(index.match('stock low for sku A-1 (3 left)').statement?.line, 5);
  assert.equal(
    index.match('retrying charge for inv-9 after 3 attempts', 'warn').statement?.file,
    'billing.py',
  );
  assert.equal(index.match('shipping order o-1 in 2 parcels').statement?.file, 'Shipping.java');
  assert.equal(index.match('job j-4 finished in 12ms').statement?.file, 'worker.go');
  assert.equal(index.match('Refund 7 rejected by stripe', 'error').statement?.file, 'Payments.cs');
  // Found inside a longer plain-text line: still the statement, but not anchored.
  const inside = index.match('2026-01-01 12:00:00 INFO pino: order placed orderId=o-1 total=3');
  assert.equal(inside.statement?.line, 4);
  assert.match(inside.explanation, /inside a longer line/);
  // A severity that disagrees lowers the confidence but does not reject.
  assert.equal(index.match('order placed orderId=o-17 total=42.50', 'error').confidence, 'medium');
  assert.equal(index.match('nothing like any template here').confidence, 'none');

  const twins = new LogIndex();
  twins.set('a.js', extractLogStatements('a.js', 'logger.info(`user ${id} logged in`);\n'));
  twins.set(
    'b.js',
    extractLogStatements(
      'b.js',
      'logger.info(`user ${name} logged in`);\nlogger.warn(`user ${name} logged in`);\n',
    ),
  );
  const amb = twins.match('user 7 logged in', 'info');
  assert.equal(amb.confidence, 'ambiguous');
  assert.deepEqual(amb.candidates, [
    'a.js:1 (user ${id} logged in)',
    'b.js:1 (user ${name} logged in)',
  ]);
  assert.equal(
    twins.match('user 7 logged in', 'warn').statement?.file,
    'b.js',
    'the warn statement is the only warn fit',
  );
});

test('log file lines: JSON (pino levels, ECS nesting), logfmt, plain text', () => {
  const pino = parseLogLine(
    '{"level":50,"time":1767268800000,"msg":"payment failed for customer c-1","trace_id":"0af7651916cd43dd8448eb211c80319c"}',
  );
  assert.deepEqual(pino, {
    format: 'json',
    message: 'payment failed for customer c-1',
    level: 'error',
    traceId: '0af7651916cd43dd8448eb211c80319c',
    timeMs: 1767268800000,
    prefixed: false,
  });
  const ecs = parseLogLine(
    '{"@timestamp":"2026-01-01T12:00:00Z","log":{"level":"warn"},"message":"carrier ups is slow"}',
  );
  assert.equal(ecs.level, 'warn');
  assert.equal(ecs.message, 'carrier ups is slow');
  const lf = parseLogLine('time=2026-01-01T12:00:00Z level=info msg="job started" id=j-1');
  assert.deepEqual([lf.format, lf.message, lf.level], ['logfmt', 'job started', 'info']);
  const text = parseLogLine(
    '2026-01-01 12:00:00,123 WARNING billing: retrying charge for inv-1 after 2 attempts',
  );
  assert.deepEqual([text.format, text.level, text.prefixed], ['text', 'warn', true]);
  assert.equal(text.timeMs, Date.parse('2026-01-01T12:00:00.123'));
  // Binary junk is a plain line, not a crash.
  assert.equal(parseLogLine('\u0000\u0001\ufffd{{{ not json').format, 'text');
});

let engine: Engine;
const NOW = Date.now();

function record(
  body: string,
  severityNumber: number,
  attributes: LogRecordData['attributes'] = {},
): LogRecordData {
  return {
    timeMs: NOW - 1000,
    severityNumber,
    severityText: '',
    body,
    traceId: 'ab'.repeat(16),
    spanId: 'cd'.repeat(8),
    attributes,
    resource: { service: 'shop', environment: 'prod', version: '1' },
  };
}

before(async () => {
  ({ engine } = await createWorkspaceEngine(ROOT, { now: () => NOW }));
});

test('ingested log records are counted at their statements by level, with the latest lines and trace ids', () => {
  const recs = [];
  for (let i = 0; i < 5; i++) recs.push(record(`order placed orderId=o-${i} total=${i}.00`, 9));
  recs.push(record('payment failed for customer c-9', 17));
  recs.push(record('payment failed for customer c-8', 17));
  recs.push(record('a line no statement printed', 9));
  // Python's logging instrumentation says where it logged: the location wins over the text.
  recs.push(
    record('totally rewritten message', 9, {
      'code.filepath': '/srv/app/billing.py',
      'code.lineno': 7,
    }),
  );
  engine.ingestLogs(recs);
  const js = engine.logsInFile('orders.js', NOW - 60_000);
  assert.deepEqual(
    js.map((s) => [s.statement.line, s.count, JSON.stringify(s.byLevel), s.rule]),
    [
      [4, 5, '{"info":5}', 'log-template'],
      [6, 2, '{"error":2}', 'log-template'],
    ],
  );
  assert.equal(js[0]!.latest[0]!.body, 'order placed orderId=o-4 total=4.00', 'newest first');
  assert.equal(js[0]!.latest[0]!.traceId, 'ab'.repeat(16));
  const py = engine.logsInFile('billing.py', NOW - 60_000);
  assert.deepEqual(
    py.map((s) => [s.statement.line, s.count, s.rule]),
    [[7, 1, 'code.filepath+line']],
  );
  assert.equal(engine.unmatchedLogs().count, 1);
  assert.match(
    engine.unmatchedLogs().samples[0]!.why,
    /no log statement in the workspace prints a message like "a line no statement printed"/,
  );
});

test('counts follow a statement moved by an edit above it', () => {
  const text = readFileSync(join(ROOT, 'orders.js'), 'utf8');
  void engine.sourceChanged('orders.js', `// a new comment\n// and another\n${text}`);
  const js = engine.logsInFile('orders.js', NOW - 60_000);
  assert.deepEqual(
    js.map((s) => [s.statement.line, s.count]),
    [
      [6, 5],
      [8, 2],
    ],
  );
  void engine.sourceChanged('orders.js', text);
});

test('log statements as real apps write them: child loggers, request loggers, Ruby without parentheses, PHP error_log', () => {
  const rows = (file: string, text: string) =>
    extractLogStatements(file, text).map((s) => `${s.line} ${s.level} ${s.template}`);
  assert.deepEqual(
    rows(
      'a.js',
      "const log = logger.child({ reqId });\nlog.info('start of request');\nlogger.child({ reqId: 1 }).warn(`slow request ${id} took ${ms} ms`);\nrequest.log.error({ err }, 'payment failed for %s', id);\nfastify.log.info(`order ${id} shipped`);\n",
    ),
    [
      '2 info start of request',
      '3 warn slow request ${id} took ${ms} ms',
      '4 error payment failed for %s',
      '5 info order ${id} shipped',
    ],
  );
  assert.deepEqual(
    rows(
      'a.rb',
      'def x\n  puts "processing order #{id}"\n  warn "stock low for #{sku}"\n  Rails.logger.info "charged #{amount} cents"\n  logger.error("refund failed: #{e}")\nend\n',
    ),
    [
      '2 print processing order #{id}',
      '3 warn stock low for #{sku}',
      '4 info charged #{amount} cents',
      '5 error refund failed: #{e}',
    ],
  );
  assert.deepEqual(
    rows(
      'a.php',
      '<?php\nerror_log(sprintf(\'cache miss for %s after %d ms\', $key, $ms));\nerror_log("queue {$name} is full");\n',
    ),
    ['2 error cache miss for %s after %d ms', '3 error queue {$name} is full'],
  );
  assert.deepEqual(rows('a.py', "logger.info('user %s logged in', uid, extra={'ip': ip})\n"), [
    '1 info user %s logged in',
  ]);
});
