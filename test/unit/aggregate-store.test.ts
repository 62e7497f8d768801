import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AggregateStore, HOUR_RETENTION_MS } from '../../src/core/store/aggregate-store';
import { MINUTE_MS, seriesKey, type SeriesIdentity } from '../../src/core/store/series';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const ident = (fn: string): SeriesIdentity => ({
  service: 's',
  environment: 'e',
  version: '1',
  codeSource: 'code.file.path',
  filePath: '/a.ts',
  functionName: fn,
  spanName: fn,
  kind: 1,
});

test('window stats count exactly and quantiles stay within the sketch error', () => {
  let now = T0;
  const store = new AggregateStore({ now: () => now });
  const id = ident('f');
  // 1..1000 ms, one each, spread over 10 minutes
  for (let i = 1; i <= 1000; i++)
    store.record(seriesKey(id), () => id, T0 - 10 * MINUTE_MS + i * 600, i, i % 50 === 0, now);
  now = T0 + 1000;
  const s = store.windowStats([store.get(seriesKey(id))!], 15 * MINUTE_MS);
  assert.equal(s.count, 1000);
  assert.equal(s.errors, 20);
  for (const [q, v] of [
    [s.p50Ms, 500],
    [s.p95Ms, 950],
    [s.p99Ms, 990],
  ] as const)
    assert.ok(Math.abs(q - v) / v <= 0.021, `quantile ${q} vs ${v}`);
  assert.equal(s.maxMs, 1000);
  assert.equal(s.minMs, 1);
  assert.ok(Math.abs(s.meanMs - 500.5) < 1e-9);
});

test('a short window excludes older buckets; a long window uses hour buckets', () => {
  const now = T0;
  const store = new AggregateStore({ now: () => now });
  const id = ident('g');
  const key = seriesKey(id);
  store.record(key, () => id, T0 - 30 * MINUTE_MS, 100, false, now);
  store.record(key, () => id, T0 - 2 * MINUTE_MS, 10, false, now);
  const s = store.get(key)!;
  assert.equal(store.windowStats([s], 5 * MINUTE_MS).count, 1);
  assert.equal(store.windowStats([s], 60 * MINUTE_MS).count, 2);
  assert.equal(store.windowStats([s], 24 * 60 * MINUTE_MS).count, 2);
});

test('rates use the covered part of the window, not the whole window', () => {
  const now = T0;
  const store = new AggregateStore({ now: () => now });
  const id = ident('h');
  for (let i = 0; i < 60; i++)
    store.record(seriesKey(id), () => id, T0 - 2 * MINUTE_MS + i * 1000, 5, false, now);
  const s = store.windowStats([store.get(seriesKey(id))!], 15 * MINUTE_MS);
  assert.ok(s.coveredMs <= 3 * MINUTE_MS && s.coveredMs >= 2 * MINUTE_MS, `covered ${s.coveredMs}`);
});

test('spans past retention are counted, not stored; future spans clamp to now', () => {
  const now = T0;
  const store = new AggregateStore({ now: () => now });
  const id = ident('old');
  assert.equal(
    store.record(seriesKey(id), () => id, T0 - HOUR_RETENTION_MS - 1, 1, false, now),
    undefined,
  );
  assert.equal(store.counters.tooOld, 1);
  const s = store.record(seriesKey(id), () => id, T0 + 3_600_000, 1, false, now)!;
  assert.equal(s.lastSeenMs, T0);
});

test('series and buckets stay within their caps whatever arrives', () => {
  const now = T0;
  const store = new AggregateStore({ now: () => now, maxSeries: 100, maxBuckets: 150 });
  for (let i = 0; i < 1000; i++) {
    const id = ident(`f${i}`);
    store.record(seriesKey(id), () => id, T0 - (i % 50) * MINUTE_MS, 1, false, now);
  }
  assert.ok(store.size <= 100, `series ${store.size}`);
  assert.ok(store.bucketTotal <= 150, `buckets ${store.bucketTotal}`);
  assert.ok(store.counters.evictedSeries > 0);
});

test('prune drops minute buckets older than an hour but keeps the hour buckets', () => {
  let now = T0;
  const store = new AggregateStore({ now: () => now });
  const id = ident('p');
  store.record(seriesKey(id), () => id, T0, 1, false, now);
  now = T0 + 3 * 60 * MINUTE_MS;
  store.prune(now);
  const s = store.get(seriesKey(id))!;
  assert.equal(s.minutes.size, 0);
  assert.equal(s.hours.size, 1);
  assert.equal(store.windowStats([s], 6 * 60 * MINUTE_MS).count, 1);
});

test('the previous window does not share a bucket with the current one', () => {
  const now = T0 + 30_000;
  const store = new AggregateStore({ now: () => now });
  const id = ident('trend');
  const key = seriesKey(id);
  // The current window covers the partial minute at its start: buckets m = 0..15 are current.
  for (let m = 0; m < 30; m++)
    store.record(key, () => id, T0 - m * MINUTE_MS, m < 16 ? 10 : 100, false, now);
  const s = store.get(key)!;
  const cur = store.windowStats([s], 15 * MINUTE_MS);
  const prev = store.previousWindowStats([s], 15 * MINUTE_MS);
  assert.equal(cur.count + prev.count, 30);
  assert.equal(cur.maxMs, 10);
  assert.equal(prev.minMs, 100);
});

test('reading a window never changes its buckets, whether one bucket or several cover it', () => {
  let now = T0;
  const store = new AggregateStore({ now: () => now });
  const a = ident('one');
  const b = ident('other');
  // One bucket alone (read as it is), then two series in one minute and a second minute (merged).
  store.record(seriesKey(a), () => a, T0 - 90_000, 10, false, now);
  store.record(seriesKey(b), () => b, T0 - 90_000, 1_000, false, now);
  store.record(seriesKey(a), () => a, T0 - 20_000, 100, true, now);
  const sa = store.get(seriesKey(a))!;
  const sb = store.get(seriesKey(b))!;
  const read = () => ({
    alone: store.windowStats([sb], 15 * MINUTE_MS),
    both: store.windowStats([sa, sb], 15 * MINUTE_MS),
  });
  const first = read();
  assert.deepEqual([first.alone.count, first.alone.p50Ms], [1, 1_000]);
  assert.equal(first.both.count, 3);
  assert.equal(first.both.minMs, 10);
  assert.equal(first.both.maxMs, 1_000);
  assert.ok(Math.abs(first.both.p50Ms - 100) / 100 <= 0.021);
  // The point holding two series' buckets, and the point holding one.
  const points = first.both.series.filter((p) => p.count > 0);
  assert.deepEqual(
    points.map((p) => p.count),
    [2, 1],
  );
  assert.ok(Math.abs(points[1]!.p50Ms - 100) / 100 <= 0.021);
  // Points without data are shared, frozen objects (kept by every rebuilt row, so not copied).
  const empty = first.both.series.filter((p) => p.count === 0);
  assert.equal(empty.length, first.both.series.length - 2);
  assert.ok(empty.every((p) => Object.isFrozen(p) && Number.isNaN(p.p50Ms) && p.errors === 0));
  assert.equal(first.alone.series[0], first.both.series[0], 'one object for one empty start');
  // Read again: the same numbers (the merges built nothing into the buckets they read).
  assert.deepEqual(read(), first);
  // New data lands in a bucket that was read alone: the next read sees it, once.
  now += 1_000;
  store.record(seriesKey(b), () => b, T0 - 90_000, 3_000, false, now);
  const after = store.windowStats([sb], 15 * MINUTE_MS);
  assert.equal(after.count, 2);
  assert.equal(after.maxMs, 3_000);
  assert.equal(store.windowStats([sa, sb], 15 * MINUTE_MS).count, 4);
});
