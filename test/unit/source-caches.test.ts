// The backends' caches. SourceCache (src/core/sources/cache.ts): fresh values for the TTL, one
// load per key in flight, the last good value served stale (with its error) when a refresh fails,
// an aborted caller not cancelling the shared load, and its bound. BackendTraces' per-query memory
// (lru-cache): the 256 queries last used are kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BackendTraces, type TraceListQuery } from '../../src/core/sources/backend-traces';
import { cachedResult, SourceCache } from '../../src/core/sources/cache';
import type { TraceSource } from '../../src/core/sources/source';

/** A load the test settles by hand, counting how often it was started. */
function deferredLoads<T>() {
  const calls: { resolve: (v: T) => void; reject: (e: unknown) => void }[] = [];
  const load = () =>
    new Promise<T>((resolve, reject) => {
      calls.push({ resolve, reject });
    });
  return { calls, load };
}

test('fresh for the TTL, loaded again once older than it', async () => {
  let now = 1_000_000;
  const cache = new SourceCache<string>({ ttlMs: 1_000, now: () => now });
  let loads = 0;
  const load = () => Promise.resolve(`v${++loads}`);
  assert.deepEqual(await cache.get('k', load), { value: 'v1', stale: false, fetchedAt: 1_000_000 });
  now += 999;
  assert.equal((await cache.get('k', load)).value, 'v1', 'within the TTL: served from memory');
  assert.equal(loads, 1);
  now += 2;
  const again = await cache.get('k', load);
  assert.deepEqual(again, { value: 'v2', stale: false, fetchedAt: 1_001_001 });
  assert.equal(loads, 2);
});

test('concurrent asks for one key share one load; other keys load on their own', async () => {
  const cache = new SourceCache<number>({ ttlMs: 60_000 });
  const { calls, load } = deferredLoads<number>();
  const asks = [cache.get('a', load), cache.get('a', load), cache.get('a', load)];
  const other = cache.get('b', load);
  assert.equal(calls.length, 2, 'one load for a, one for b');
  calls[0]!.resolve(7);
  calls[1]!.resolve(8);
  assert.deepEqual(
    (await Promise.all(asks)).map((r) => r.value),
    [7, 7, 7],
  );
  assert.equal((await other).value, 8);
});

test('a TTL of 0 loads on every ask, still one load per key in flight', async () => {
  let loads = 0;
  const cache = new SourceCache<number>({ ttlMs: 0 });
  const load = () => Promise.resolve(++loads);
  assert.equal((await cache.get('k', load)).value, 1);
  assert.equal((await cache.get('k', load)).value, 2);
  const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
  assert.equal(a.value, 3);
  assert.equal(b.value, 3);
  assert.equal(cache.peek('k')?.stale, true, 'with no TTL every held value is already old');
});

test('a failed refresh serves the last good value marked stale with the error; the next ask tries again', async () => {
  let now = 1_000_000;
  const cache = new SourceCache<string>({ ttlMs: 1_000, now: () => now });
  await cache.get('k', () => Promise.resolve('good'));
  now += 5_000;
  const down = new Error('HTTP 503');
  const stale = await cache.get('k', () => Promise.reject(down));
  assert.deepEqual(stale, { value: 'good', stale: true, fetchedAt: 1_000_000, error: down });
  assert.deepEqual(cache.peek('k'), { value: 'good', stale: true, fetchedAt: 1_000_000 });
  const back = await cache.get('k', () => Promise.resolve('better'));
  assert.deepEqual(back, { value: 'better', stale: false, fetchedAt: 1_005_000 });
});

test('a failed first load is not cached: the error goes to every caller waiting on it', async () => {
  const cache = new SourceCache<string>({ ttlMs: 60_000 });
  const { calls, load } = deferredLoads<string>();
  const a = cache.get('k', load);
  const b = cache.get('k', load);
  calls[0]!.reject(new Error('refused'));
  await assert.rejects(a, /refused/);
  await assert.rejects(b, /refused/);
  assert.equal(cache.peek('k'), undefined);
  assert.equal((await cache.get('k', () => Promise.resolve('up'))).value, 'up');
  const r = await cachedResult(cache, 'x', () => Promise.reject(new Error('down')), undefined);
  assert.equal(r.value, undefined);
  assert.equal(r.status.ok, false);
  assert.equal(r.status.message, 'down');
});

test('an aborted caller stops waiting; the shared load goes on and fills the cache', async () => {
  const cache = new SourceCache<string>({ ttlMs: 60_000 });
  const { calls, load } = deferredLoads<string>();
  const ac = new AbortController();
  const leaving = cache.get('k', load, ac.signal);
  const staying = cache.get('k', load);
  ac.abort();
  await assert.rejects(leaving, { name: 'AbortError' });
  calls[0]!.resolve('done');
  assert.equal((await staying).value, 'done');
  assert.equal(cache.peek('k')?.value, 'done');
  assert.equal(calls.length, 1);
  // cachedResult passes the caller's own cancellation through rather than turning it into a status.
  const gone = new AbortController();
  gone.abort();
  await assert.rejects(
    cachedResult(cache, 'other', load, gone.signal),
    (e: Error) => e.name === 'AbortError',
  );
});

test('bounded: past maxEntries the value fetched longest ago goes first, however recently read', async () => {
  const cache = new SourceCache<string>({ ttlMs: 60_000, maxEntries: 2 });
  const load = (v: string) => () => Promise.resolve(v);
  await cache.get('a', load('A'));
  await cache.get('b', load('B'));
  await cache.get('a', load('A?')); // a fresh hit: served from memory, a's age is unchanged
  await cache.get('c', load('C'));
  assert.equal(cache.peek('a'), undefined, 'a was fetched longest ago');
  assert.equal(cache.peek('b')?.value, 'B');
  assert.equal(cache.peek('c')?.value, 'C');
  // A refresh renews a key's place: b, fetched again, outlives c.
  const aged = new SourceCache<string>({ ttlMs: 0, maxEntries: 2 });
  await aged.get('b', load('B1'));
  await aged.get('c', load('C1'));
  await aged.get('b', load('B2'));
  await aged.get('d', load('D1'));
  assert.equal(aged.peek('c'), undefined);
  assert.equal(aged.peek('b')?.value, 'B2');
});

test('a load whose key is evicted or cleared meanwhile still answers its callers', async () => {
  const cache = new SourceCache<string>({ ttlMs: 60_000, maxEntries: 1 });
  const { calls, load } = deferredLoads<string>();
  const first = cache.get('a', load);
  const second = cache.get('b', load);
  cache.clear();
  calls[0]!.resolve('A');
  calls[1]!.resolve('B');
  assert.equal((await first).value, 'A');
  assert.equal((await second).value, 'B');
});

/** A trace source whose every search fails: nothing is cached, only when each query was asked. */
function failingSource(): TraceSource & { searches: number } {
  const src = {
    config: { kind: 'tempo' as const, url: 'http://tempo.invalid', environment: 'prod' },
    searches: 0,
    testConnection: () => Promise.reject(new Error('unused')),
    traceById: () => Promise.reject(new Error('unused')),
    recentTraces: () => {
      src.searches++;
      return Promise.reject(new Error('HTTP 503 from tempo'));
    },
  };
  return src;
}

const query = (i: number): TraceListQuery => ({
  targets: [{ service: 'checkout', spanName: `op-${i}` }],
  windowMs: 900_000,
});

test('BackendTraces remembers when the 256 queries last used were asked; older ones are due again', async () => {
  const now = 1_767_225_700_000;
  const source = failingSource();
  const traces = new BackendTraces(() => [source], { listTtlMs: 30_000, now: () => now });
  await traces.fetch(query(0));
  const first = traces.peek(query(0));
  assert.equal(first.due, false, 'asked within the TTL: not due, though it failed');
  assert.equal(first.lists[0]!.status.ok, false, 'the failure is remembered for the snapshot');
  assert.match(first.lists[0]!.status.message, /HTTP 503/);
  for (let i = 1; i < 256; i++) await traces.fetch(query(i));
  traces.peek(query(0)); // the panel shows query 0 again: it is used, so it is kept
  await traces.fetch(query(256)); // the 257th query: the least recently used (query 1) goes
  assert.equal(traces.peek(query(0)).due, false);
  assert.equal(traces.peek(query(0)).lists[0]!.status.ok, false);
  const forgotten = traces.peek(query(1));
  assert.equal(forgotten.due, true, 'query 1 was forgotten: due again');
  assert.equal(forgotten.lists[0]!.status.ok, true, 'and its failure with it');
  assert.equal(source.searches, 257 * 3, 'three searches per query, none repeated');
});
