// The join of changed functions with production data: numbers, callers from traces, alerts,
// hotness, the risk ranking with its one-line reasons, the no-data reasons, and the Markdown.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import type { Engine } from '../../src/core/engine/engine';
import { findChangedFunctions, type ChangeSet } from '../../src/core/impact/changed-functions';
import { assessImpact, riskAtLeast, type ImpactReport } from '../../src/core/impact/impact';
import { impactMarkdown } from '../../src/core/impact/markdown';
import type { SpanRecord } from '../../src/core/model';
import { codeSpan, span } from '../support/spans';
import { tempRepo, type TempRepo } from './impact-repo';

const T = Date.UTC(2026, 0, 2, 12, 0, 0);
const WINDOW = 60 * 60_000;
const SHOP = { service: 'shop', environment: 'prod', version: '1' };

const BEFORE = `export class OrderService {
  placeOrder(id: string): string {
    return 'placed ' + id;
  }

  cancelOrder(id: string): string {
    return 'cancelled ' + id;
  }

  refund(id: string): number {
    return id.length * 100 + 42;
  }

  lookup(id: string): string {
    return 'order ' + id;
  }
}
`;
const AFTER = `export class OrderService {
  placeOrder(id: string): string {
    return 'placed order ' + id;
  }

  reimburse(id: string): number {
    return id.length * 100 + 42;
  }

  audit(id: string): void {
    console.log(id);
  }

  lookup(id: string): string {
    return 'order ' + id;
  }
}
`;

let repo: TempRepo;
let engine: Engine;
let changes: ChangeSet;
let report: ImpactReport;

function ids(): { traceId: string; spanId: string } {
  return { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') };
}

before(async () => {
  repo = tempRepo({
    'src/orders.ts': BEFORE,
    'src/shipping.ts': 'export function ship(id: string): string {\n  return id;\n}\n',
    'src/quiet.ts': 'export function quiet(): number {\n  return 1;\n}\n',
  });
  repo.write('src/orders.ts', AFTER);
  repo.write(
    'src/shipping.ts',
    'export function ship(id: string): string {\n  return id.trim();\n}\n',
  );
  repo.write('src/quiet.ts', 'export function quiet(): number {\n  return 2;\n}\n');
  changes = await findChangedFunctions(repo.dir);

  ({ engine } = await createWorkspaceEngine(repo.dir, { now: () => T }));
  const spans: SpanRecord[] = [];
  const at = (i: number) => T - 30 * 60_000 + i * 1_000;
  // 100 checkout requests; 38 of them reach placeOrder (410 ms, 3 of them failing).
  for (let i = 0; i < 100; i++) {
    const root = ids();
    spans.push(
      span({
        ...root,
        name: 'POST /checkout',
        kind: 2,
        startMs: at(i),
        durationMs: 500,
        resource: SHOP,
      }),
    );
    if (i < 38)
      spans.push(
        codeSpan('/app/src/orders.ts', 'OrderService.placeOrder', 3, 410, {
          traceId: root.traceId,
          parentSpanId: root.spanId,
          startMs: at(i),
          statusCode: i < 3 ? 2 : 0,
          resource: SHOP,
        }),
      );
  }
  // cancelOrder is deleted in the working tree but still serves 120 calls an hour.
  for (let i = 0; i < 120; i++)
    spans.push(
      codeSpan('/app/src/orders.ts', 'OrderService.cancelOrder', 7, 5, {
        startMs: at(i),
        resource: SHOP,
      }),
    );
  // refund was renamed to reimburse: its telemetry still says refund, on the old line.
  for (let i = 0; i < 10; i++)
    spans.push(
      codeSpan('/app/src/orders.ts', 'OrderService.refund', 11, 2, {
        startMs: at(i),
        resource: SHOP,
      }),
    );
  // lookup is unchanged (its lines moved): its traffic belongs to nobody in this review.
  for (let i = 0; i < 50; i++)
    spans.push(
      codeSpan('/app/src/orders.ts', 'OrderService.lookup', 15, 1, {
        startMs: at(i),
        resource: SHOP,
      }),
    );
  // ship's spans carry only a bare function name, so they never map to a file.
  for (let i = 0; i < 7; i++)
    spans.push(
      span({
        name: 'ship',
        startMs: at(i),
        durationMs: 3,
        attributes: { 'code.function.name': 'ship' },
        resource: SHOP,
      }),
    );
  engine.ingestSpans(spans);
  report = await assessImpact(changes, engine, { windowMs: WINDOW });
});

after(() => repo.remove());

test('the changed functions are exactly the edited ones', () => {
  assert.deepEqual(
    changes.functions.map((c) => `${c.change} ${c.function.qualifiedName}`),
    [
      'modified OrderService.placeOrder',
      'deleted OrderService.cancelOrder',
      'renamed OrderService.reimburse',
      'added OrderService.audit',
      'modified quiet',
      'modified ship',
    ],
  );
});

test('risk ranking: the checkout path and the deleted function that still serves are high; one reason each', () => {
  assert.deepEqual(
    report.items.map((i) => [i.risk, i.function, i.reason]),
    [
      [
        'high',
        'OrderService.placeOrder',
        'on the path of 38% of POST /checkout; 7.9% errors; 1 alert in 1 h',
      ],
      ['high', 'OrderService.cancelOrder', 'deleted while still serving 4/min; #2 by time spent'],
      ['low', 'OrderService.reimburse', 'renamed only; 20/h (4.6% of traffic); #4 by time spent'],
      ['none', 'OrderService.audit', 'new in this change'],
      ['none', 'quiet', 'no spans in the last 1 h'],
      [
        'none',
        'ship',
        'not mapped: 7 spans of ship did not map: ship gives no file path and its name does not point to a workspace file',
      ],
    ],
  );
  assert.deepEqual(report.counts, { none: 3, low: 1, medium: 0, high: 2 });
  assert.ok(riskAtLeast('high', 'medium') && !riskAtLeast('low', 'medium'));
});

test('numbers, callers, alerts, hotness and trend of a changed function', () => {
  const place = report.items.find((i) => i.function === 'OrderService.placeOrder');
  assert.ok(place);
  assert.equal(place.count, 38);
  assert.equal(place.errors, 3);
  assert.equal(place.errorRate, 3 / 38);
  assert.ok(place.p95Ms !== null && Math.abs(place.p95Ms - 410) / 410 < 0.02, `p95 ${place.p95Ms}`);
  assert.deepEqual(place.callers, [
    { endpoint: 'POST /checkout', service: 'shop', traces: 38, total: 100, share: 0.38 },
  ]);
  assert.deepEqual(
    place.alerts.map((a) => [a.name, a.severity, a.state, a.startsAt]),
    [['High error rate', 'warning', 'firing', null]],
  );
  assert.equal(place.hotRank, 1, 'the most time spent of all mapped functions');
  assert.equal(place.matchedOn, 'previous version');
  assert.deepEqual(place.trend, {
    previousCount: 0,
    previousP95Ms: null,
    previousErrorRate: null,
    countRatio: null,
    p95Ratio: null,
  });
  assert.equal(place.noData, null);
});

test('no-data reasons: new, never seen, not mapped', () => {
  const why = Object.fromEntries(
    report.items.filter((i) => i.noData).map((i) => [i.function, i.noData?.reason]),
  );
  assert.deepEqual(why, { 'OrderService.audit': 'new', quiet: 'never seen', ship: 'not mapped' });
});

test('without a data source every changed function says so', async () => {
  const r = await assessImpact(changes, undefined, { windowMs: WINDOW });
  assert.equal(r.hasData, false);
  assert.ok(
    r.items.every(
      (i) =>
        i.risk === 'none' &&
        i.noData?.reason === 'no data source' &&
        i.reason === 'no production data source given',
    ),
  );
  assert.equal(r.items.length, 6);
});

test('the Markdown is a PR comment: summary, ranked table, functions without data, escaped text', () => {
  const md = impactMarkdown(report);
  const lines = md.split('\n');
  assert.equal(lines[0], '### ProdLens: production impact');
  assert.equal(
    lines[2],
    '**6 changed functions** in the uncommitted changes, production over the last 1 h: 2 high · 1 low · 3 without production data.',
  );
  assert.ok(
    lines.includes('| Risk | Function | Location | Change | Traffic | p95 | Errors | Why |'),
  );
  assert.equal(
    lines[6],
    '| 🔴 high | `OrderService.placeOrder` | `src/orders.ts:2` | modified | 1/min | 410 ms | 7.9% | on the path of 38% of POST /checkout; 7\\.9% errors; 1 alert in 1 h |',
  );
  assert.equal(
    lines[7],
    '| 🔴 high | `OrderService.cancelOrder` | `src/orders.ts:6` | deleted | 4/min | 5 ms | 0% | deleted while still serving 4/min; \\#2 by time spent |',
  );
  assert.equal(
    lines[8],
    '| 🟡 low | `OrderService.reimburse` | `src/orders.ts:6` | renamed from `OrderService.refund` | 20/h | 2 ms | 0% | renamed only; 20/h \\(4\\.6% of traffic\\); \\#4 by time spent |',
  );
  assert.ok(lines.includes('#### Changed functions without production data'));
  assert.ok(
    lines.includes(
      '- `ship` (`src/shipping.ts:1`, modified): not mapped\\: 7 spans of ship did not map\\: ship gives no file path and its name does not point to a workspace file',
    ),
    md,
  );
});

test('telemetry text cannot inject Markdown into the comment', () => {
  const evil: ImpactReport = {
    ...report,
    items: [
      {
        ...report.items[1]!,
        reason: 'on the path of 50% of GET /x | <img src=x> **bold** [link](http://e)',
      },
    ],
    notes: [{ kind: 'binary', file: 'a|b.png', message: 'a|b.png: binary file, skipped' }],
  };
  const md = impactMarkdown(evil);
  assert.ok(
    md.includes('GET /x \\| \\<img src=x\\> \\*\\*bold\\*\\* \\[link\\]\\(http\\://e\\)'),
    md,
  );
  assert.ok(md.includes('- a\\|b\\.png\\: binary file, skipped'), md);
});
