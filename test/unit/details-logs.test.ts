// The details panel's Logs section, host side (src/core/details/function-logs.ts), on the core's real
// log index and statement counts: statements inside the function only, the window, and the bound
// on lines across statements.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogIndex } from '../../src/core/logs/log-index';
import { extractLogStatements } from '../../src/core/logs/log-statements';
import { StatementLogs } from '../../src/core/logs/statement-logs';
import type { LogRecordData } from '../../src/core/model';
import { functionLogs, type LogSources } from '../../src/core/details/function-logs';

const FILE = 'src/orders.js';
const SOURCE = [
  'function placeOrder(id, total) {', // 1
  '  logger.info(`order placed orderId=${id} total=${total}`);', // 2
  '  if (total > 100) logger.warn(`big order ${id} needs review`);', // 3
  '  logger.debug("order cache miss");', // 4
  '}', // 5
  'function cancelOrder(id) {', // 6
  '  logger.error(`cancel failed for order ${id}`);', // 7
  '}', // 8
  'function quiet() {', // 9
  '  return 1;', // 10
  '}', // 11
].join('\n');
const NOW = 1_750_000_000_000;
const MIN = 60_000;

function setup(): {
  index: LogIndex;
  logs: StatementLogs;
  log: (body: string, ageMs: number, severity?: number, traceId?: string) => void;
} {
  const index = new LogIndex();
  index.set(FILE, extractLogStatements(FILE, SOURCE));
  const logs = new StatementLogs(index);
  const log = (body: string, ageMs: number, severity = 9, traceId = 'ab'.repeat(16)) => {
    const r: LogRecordData = {
      timeMs: NOW - ageMs,
      severityNumber: severity,
      severityText: '',
      body,
      traceId,
      spanId: 'cd'.repeat(8),
      attributes: {},
      resource: { service: 'shop', environment: 'prod', version: '1' },
    };
    logs.add(r, index.match(r.body));
  };
  return { index, logs, log };
}

/** What the engine answers for functionLogs, over this index and these counts. */
const sourcesOf = (index: LogIndex, logs: StatementLogs): LogSources => ({
  logStatementsIn: (file) => index.inFile(file),
  logsInFile: (file, sinceMs) => (logs.size > 0 ? logs.inFile(file, sinceMs) : []),
});

test('functionLogs: the statements inside the function with records in the window, newest lines first, the others left out', () => {
  const { index, logs, log } = setup();
  for (let i = 0; i < 5; i++) log(`order placed orderId=o-${i} total=${i}`, i * 1_000);
  log('big order o-9 needs review', 500, 13);
  log('cancel failed for order o-3', 100, 17); // cancelOrder, not placeOrder
  log('order placed orderId=old total=1', 30 * MIN); // outside a 15 min window
  const d = functionLogs(
    sourcesOf(index, logs),
    { file: FILE, startLine: 1, endLine: 5 },
    NOW - 15 * MIN,
  );
  assert.equal(d.statementsInFunction, 3);
  assert.deepEqual(
    d.statements.map((s) => [s.line, s.level, s.template, s.count, s.byLevel]),
    [
      [2, 'info', 'order placed orderId=${id} total=${total}', 5, { info: 5 }],
      [3, 'warn', 'big order ${id} needs review', 1, { warn: 1 }],
    ],
  );
  assert.equal(d.records, 6);
  assert.deepEqual(
    d.statements[0]!.latest.map((l) => l.body),
    [0, 1, 2, 3, 4].map((i) => `order placed orderId=o-${i} total=${i}`),
    'newest first',
  );
  assert.deepEqual(d.statements[0]!.latest[0], {
    timeMs: NOW,
    level: 'info',
    body: 'order placed orderId=o-0 total=0',
    traceId: 'ab'.repeat(16),
    spanId: 'cd'.repeat(8),
    service: 'shop',
  });
  assert.equal(d.statements[0]!.file, FILE);
  assert.equal(d.statements[0]!.rule, 'log-template');

  const other = functionLogs(
    sourcesOf(index, logs),
    { file: FILE, startLine: 6, endLine: 8 },
    NOW - 15 * MIN,
  );
  assert.deepEqual(
    other.statements.map((s) => s.line),
    [7],
  );
});

test('functionLogs: at most the newest N lines across all statements; counts stay whole', () => {
  const { index, logs, log } = setup();
  for (let i = 0; i < 15; i++) log(`order placed orderId=o-${i} total=1`, 2 * i * 1_000 + 1_000);
  for (let i = 0; i < 15; i++) log(`big order b-${i} needs review`, 2 * i * 1_000, 13);
  const d = functionLogs(
    sourcesOf(index, logs),
    { file: FILE, startLine: 1, endLine: 5 },
    NOW - 15 * MIN,
    10,
  );
  assert.equal(d.linesShown, 10);
  assert.deepEqual(
    d.statements.map((s) => [s.line, s.count, s.latest.length]),
    [
      [2, 15, 5],
      [3, 15, 5],
    ],
  );
  assert.deepEqual(
    d.statements[1]!.latest.map((l) => l.body),
    [0, 1, 2, 3, 4].map((i) => `big order b-${i} needs review`),
  );
});

test('functionLogs: empty, with the reason in the numbers (no statements, or statements without records)', () => {
  const { index, logs, log } = setup();
  const src = sourcesOf(index, logs);
  assert.deepEqual(functionLogs(src, { file: FILE, startLine: 9, endLine: 11 }, NOW - 15 * MIN), {
    statementsInFunction: 0,
    statements: [],
    records: 0,
    linesShown: 0,
  });
  log('cancel failed for order o-3', 100, 17);
  assert.deepEqual(functionLogs(src, { file: FILE, startLine: 1, endLine: 5 }, NOW - 15 * MIN), {
    statementsInFunction: 3,
    statements: [],
    records: 0,
    linesShown: 0,
  });
  assert.deepEqual(
    functionLogs(src, { file: 'src/other.js', startLine: 1, endLine: 100 }, NOW - 15 * MIN)
      .statementsInFunction,
    0,
  );
});
