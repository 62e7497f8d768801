import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FunctionStats } from '../../src/core/engine/engine';
import { formatErrorRate, formatMs, formatRate, sparkline } from '../../src/core/format/numbers';
import { escapeMarkdown, hoverMarkdown, lensTitle } from '../../src/core/format/presentation';
import { parseWindow } from '../../src/core/format/windows';

function stats(
  over: Partial<FunctionStats['stats']> = {},
  confidence: FunctionStats['mapping']['confidence'] = 'high',
): FunctionStats {
  return {
    file: 'src/a.ts',
    function: {
      name: 'place',
      qualifiedName: 'Orders.place',
      kind: 'method',
      startLine: 3,
      endLine: 9,
      nameLine: 3,
      nameColumn: 2,
      nameEndColumn: 7,
    },
    stats: {
      count: 1200,
      errors: 5,
      p50Ms: 12.3,
      p90Ms: 60,
      p95Ms: 87.4,
      p99Ms: 140,
      maxMs: 900,
      minMs: 1,
      meanMs: 20,
      windowMs: 900_000,
      coveredMs: 900_000,
      series: [],
      ...over,
    },
    mapping: { rule: 'code.file.path+line', confidence, explanation: 'x' },
    seriesIds: ['a'],
    services: ['shop'],
    environments: ['prod'],
  };
}

test('the lens title reads like the spec and carries the sample count', () => {
  assert.equal(
    lensTitle(stats()),
    'p50 12 ms · p95 87 ms · 80/min · 0.4% err · last 15 min (n=1.2k)',
  );
  assert.match(lensTitle(stats({}, 'low')), /^≈ p50/);
});

test('number formatting across magnitudes', () => {
  assert.equal(formatMs(0.456), '0.46 ms');
  assert.equal(formatMs(4.25), '4.3 ms');
  assert.equal(formatMs(1534), '1.53 s');
  assert.equal(formatMs(NaN), '–');
  assert.equal(formatRate(30, 60 * 60_000), '30/h');
  assert.equal(formatRate(72_000, 60_000), '72k/min');
  assert.equal(formatErrorRate(0, 10), '0%');
  assert.equal(formatErrorRate(1, 5000), '<0.1%');
  assert.equal(sparkline([1, NaN, 8]), '▁·█');
});

test('hostile telemetry text cannot become markup in a hover', () => {
  const hostile = '<img src=x onerror=alert(1)>](command:evil)`**x**` \u202Eevil';
  const e = escapeMarkdown(hostile);
  assert.ok(!/(^|[^\\])[<>[\]()`*]/.test(e), e);
  assert.ok(!e.includes('\u202E'));
  const s = stats();
  s.services = [hostile];
  s.mapping.explanation = hostile;
  const md = hoverMarkdown(s, 'command:prodlens.showFunctionDetails?x');
  assert.ok(!md.includes('](command:evil)'));
  assert.ok(!/(^|[^\\])<img/.test(md));
  assert.match(md, /\| 12 ms \| 60 ms \| 87 ms \| 140 ms \| 900 ms \|/);
});

test('windows parse within 1 minute to 7 days only', () => {
  assert.equal(parseWindow('15m'), 900_000);
  assert.equal(parseWindow('7d'), 7 * 86_400_000);
  assert.equal(parseWindow('8d'), undefined);
  assert.equal(parseWindow('10s'), undefined);
  assert.equal(parseWindow('soon'), undefined);
});
