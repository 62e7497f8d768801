// `node --import tsx bench/caches.ts`: ProdLens's hand-written caches against lru-cache (v11) on
// the same workloads, measured in the same run. Each workload runs its variants in alternating
// order, round after round; a variant's figure is the median of its rounds' ops/s, and "lru/ours"
// is the ratio of the two medians (above 1: lru-cache is faster). Heap per entry is measured after
// a full GC (the bench turns --expose-gc on itself).
//
// "ours" is ProdLens's code (copied below where it has since been replaced by lru-cache, so the
// comparison can be run again); "lru-cache" is what replaces it, or would.
import { LRUCache } from 'lru-cache';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pathShape } from '../src/core/mapping/framework-spans';
import { type PathResolution, WorkspaceFiles } from '../src/core/mapping/workspace-files';
import { BackendTraces, type TraceListQuery } from '../src/core/sources/backend-traces';
import { type CachedValue, SourceCache } from '../src/core/sources/cache';
import type { TraceSource, TraceSummary } from '../src/core/sources/source';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const ROUNDS = Number(process.env.ROUNDS ?? 11);

// ---------------------------------------------------------------------------------------------
// SourceCache as lru-cache would do it: TTL, LRU bound and one fetch per key in flight from
// lru-cache; on top, what the backends need and lru-cache does not do: a load given per call
// (fetchMethod's context), a failed refresh served as the last good value with its error (peeked
// after the rejection), a TTL of 0 meaning "load every time" (lru-cache: no TTL), an aborted
// caller that stops waiting without cancelling the load (the caller's signal is raced, not
// passed). It passes test/unit/source-caches.test.ts except the eviction order (LRU, not fetch
// order). Kept here as the candidate measured against src/core/sources/cache.ts.

interface Entry<T> {
  value: T;
  fetchedAt: number;
}

type Load<T> = () => Promise<T>;

class LruSourceCache<T> {
  private readonly lru: LRUCache<string, Entry<T>, Load<T>>;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(o: { ttlMs: number; maxEntries?: number; now?: () => number }) {
    this.now = o.now ?? Date.now;
    this.ttlMs = Math.max(0, Math.ceil(o.ttlMs));
    this.lru = new LRUCache<string, Entry<T>, Load<T>>({
      max: Math.max(1, o.maxEntries ?? 256),
      ...(this.ttlMs > 0 ? { ttl: this.ttlMs } : {}),
      // One clock for the TTL and fetchedAt, read on every check (injected clocks jump). It must
      // not read 0: lru-cache takes a start time of 0 for "no TTL".
      perf: { now: this.now },
      ttlResolution: 0,
      noDeleteOnStaleGet: true,
      noDeleteOnFetchRejection: true,
      ignoreFetchAbort: true,
      fetchMethod: async (_key, _stale, { context }) => ({
        value: await context(),
        fetchedAt: this.now(),
      }),
    });
  }

  get(key: string, load: Load<T>): Promise<CachedValue<T>> {
    const hit = this.ttlMs > 0 ? this.lru.get(key) : undefined;
    if (hit) return Promise.resolve({ value: hit.value, stale: false, fetchedAt: hit.fetchedAt });
    return this.lru.fetch(key, { context: load, forceRefresh: this.ttlMs === 0 }).then(
      (e): CachedValue<T> => {
        if (!e) throw new Error(`no value loaded for ${key}`);
        return { value: e.value, stale: false, fetchedAt: e.fetchedAt };
      },
      (error: unknown): CachedValue<T> => {
        const old = this.lru.peek(key, { allowStale: true });
        if (!old) throw error;
        return { value: old.value, stale: true, fetchedAt: old.fetchedAt, error };
      },
    );
  }

  peek(key: string): CachedValue<T> | undefined {
    const hit = this.lru.peek(key, { allowStale: true });
    return (
      hit && {
        value: hit.value,
        stale: this.ttlMs === 0 || !this.lru.has(key),
        fetchedAt: hit.fetchedAt,
      }
    );
  }
}

// The memo pattern of WorkspaceFiles.resolve and CodeResolver.routeShape: a Map cleared when full
// (and, in the real classes, whenever the workspace's files or routes change).
class ClearWhenFull<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly limit: number) {}
  get(key: string, compute: (k: string) => V): V {
    let v = this.map.get(key);
    if (v === undefined) {
      v = compute(key);
      if (this.map.size >= this.limit) this.map.clear();
      this.map.set(key, v);
    }
    return v;
  }
}

class LruMemo<V extends object | string> {
  private readonly lru: LRUCache<string, V>;
  constructor(max: number) {
    this.lru = new LRUCache<string, V>({ max });
  }
  get(key: string, compute: (k: string) => V): V {
    let v = this.lru.get(key);
    if (v === undefined) {
      v = compute(key);
      this.lru.set(key, v);
    }
    return v;
  }
}

// BackendTraces' `attempted` / `lastStatus` before lru-cache (src/core/sources/backend-traces.ts
// at 023a722): a Map that drops its first-inserted key past 256.
class FirstInFirstOut<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly limit: number) {}
  clear(): void {
    this.map.clear();
  }
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, v: V): void {
    this.map.set(key, v);
    if (this.map.size > this.limit) this.map.delete(this.map.keys().next().value!);
  }
}

// ---------------------------------------------------------------------------------------------
// Workload helpers.

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` indexes into [0, n) drawn from a Zipf(s) distribution (rank 0 the most frequent). */
function zipf(n: number, s: number, count: number, seed: number): Uint32Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / Math.pow(i + 1, s);
  const r = rng(seed);
  const out = new Uint32Array(count);
  for (let j = 0; j < count; j++) {
    const u = r() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    out[j] = lo;
  }
  return out;
}

function uniform(n: number, count: number, seed: number): Uint32Array {
  const r = rng(seed);
  const out = new Uint32Array(count);
  for (let j = 0; j < count; j++) out[j] = Math.floor(r() * n);
  return out;
}

interface Variant {
  label: string;
  /** Runs one round; returns the operations done. */
  round(): number | Promise<number>;
  /** Printed after the figures (say a hit rate). */
  note?(): string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const fmt = (opsPerSec: number) =>
  opsPerSec >= 1e6 ? `${(opsPerSec / 1e6).toFixed(2)} M` : `${(opsPerSec / 1e3).toFixed(1)} k`;

const rows: string[] = [];

async function compare(cache: string, workload: string, variants: Variant[]): Promise<void> {
  const samples = variants.map(() => [] as number[]);
  for (const v of variants) await v.round(); // warm-up, not counted
  for (let r = 0; r < ROUNDS; r++) {
    const order = variants.map((_, i) => i);
    if (r % 2) order.reverse();
    for (const i of order) {
      const t0 = process.hrtime.bigint();
      const ops = await variants[i]!.round();
      const ns = Number(process.hrtime.bigint() - t0);
      samples[i]!.push((ops / ns) * 1e9);
    }
  }
  const med = samples.map(median);
  const spread = samples.map((s) => {
    const m = median(s);
    return median(s.map((x) => Math.abs(x - m))) / m;
  });
  const cells = variants.map(
    (v, i) =>
      `${v.label} ${fmt(med[i]!)} ops/s (±${(spread[i]! * 100).toFixed(0)}%)${v.note ? ` [${v.note()}]` : ''}`,
  );
  const line = `${cache} — ${workload}: ${cells.join('  vs  ')}  → lru/ours ${(med[1]! / med[0]!).toFixed(2)}`;
  rows.push(line);
  console.log(line);
}

/** Bytes of heap per entry: `fill` builds `n` entries in fresh containers it returns. */
function heapPerEntry(n: number, fill: () => unknown): number {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const held = fill();
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  if (held === undefined) throw new Error('nothing held');
  return (after - before) / n;
}

// ---------------------------------------------------------------------------------------------
// 1. SourceCache: values from backends, TTL, bounded, one load per key in flight.

async function sourceCaches(): Promise<void> {
  type Impl = { get(k: string, load: () => Promise<number>): Promise<CachedValue<number>> };
  const make = (which: 'ours' | 'lru', o: { ttlMs: number; maxEntries: number }): Impl =>
    which === 'ours' ? new SourceCache<number>(o) : new LruSourceCache<number>(o);
  /** One SourceCache workload, ours against lru-cache, each on a cache made with `o`. */
  const sourceCache = (
    workload: string,
    o: { ttlMs: number; maxEntries: number },
    round: (c: Impl) => Promise<number>,
  ) =>
    compare(
      'SourceCache',
      workload,
      (['ours', 'lru'] as const).map((which) => {
        const c = make(which, o);
        return { label: which === 'ours' ? 'ours' : 'lru-cache', round: () => round(c) };
      }),
    );
  const keys = Array.from({ length: 1024 }, (_, i) => `key-${i}`);
  const load = () => Promise.resolve(1);
  const fail = () => Promise.reject(new Error('down'));

  await sourceCache(
    'fresh hits (16 keys, TTL 60 s)',
    { ttlMs: 60_000, maxEntries: 16 },
    async (c) => {
      for (let i = 0; i < 50_000; i++) await c.get(keys[i & 15]!, load);
      return 50_000;
    },
  );
  await sourceCache(
    'misses past the bound (1,024 keys in turn, 256 kept)',
    { ttlMs: 60_000, maxEntries: 256 },
    async (c) => {
      for (let i = 0; i < 20_000; i++) await c.get(keys[i & 1023]!, load);
      return 20_000;
    },
  );
  await sourceCache(
    'expired every ask, 8 callers sharing each load (TTL 0)',
    { ttlMs: 0, maxEntries: 16 },
    async (c) => {
      for (let i = 0; i < 2_500; i++) {
        const k = keys[i & 15]!;
        await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(() => c.get(k, load)));
      }
      return 20_000;
    },
  );
  await sourceCache(
    'failed refresh served stale (TTL 0)',
    { ttlMs: 0, maxEntries: 16 },
    async (c) => {
      for (let i = 0; i < 16; i++) await c.get(keys[i]!, load);
      for (let i = 0; i < 10_000; i++) await c.get(keys[i & 15]!, fail);
      return 10_016;
    },
  );
  // What a miss costs in ProdLens: a request to the backend. Here a loopback HTTP GET.
  const server = createServer((_req, res) => res.end('1'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const httpLoad = () =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve(Number(body)));
      });
      req.on('error', reject);
      req.end();
    });
  await sourceCache(
    'misses that each make a loopback HTTP request (1,024 keys in turn, 256 kept)',
    { ttlMs: 60_000, maxEntries: 256 },
    async (c) => {
      for (let i = 0; i < 1_000; i++) await c.get(keys[i & 1023]!, httpLoad);
      return 1_000;
    },
  );
  agent.destroy();
  await new Promise((resolve) => server.close(resolve));
  const empty = (which: 'ours' | 'lru') =>
    median(
      [0, 1, 2, 3, 4].map(() =>
        heapPerEntry(100, () =>
          Array.from({ length: 100 }, () => make(which, { ttlMs: 60_000, maxEntries: 1_000 })),
        ),
      ),
    );
  const emptyLine = `SourceCache — heap of an empty cache (maxEntries 1,000): ours ${empty('ours').toFixed(0)} B  vs  lru-cache ${empty('lru').toFixed(0)} B`;
  rows.push(emptyLine);
  console.log(emptyLine);
  const perCache = 256;
  const caches = 100;
  // The loads settle on microtasks: fill, await, then measure what stays.
  const measureAsync = async (which: 'ours' | 'lru') => {
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    const held: Impl[] = [];
    for (let c = 0; c < caches; c++) {
      const cache = make(which, { ttlMs: 60_000, maxEntries: perCache });
      await Promise.all(keys.slice(0, perCache).map((k) => cache.get(k, load)));
      held.push(cache);
    }
    gc();
    gc();
    const after = process.memoryUsage().heapUsed;
    if (held.length !== caches) throw new Error('caches lost');
    return (after - before) / (perCache * caches);
  };
  const h = { ours: [] as number[], lru: [] as number[] };
  for (let r = 0; r < 5; r++) {
    h.ours.push(await measureAsync('ours'));
    h.lru.push(await measureAsync('lru'));
  }
  const line = `SourceCache — heap per entry (100 caches × 256 entries): ours ${median(h.ours).toFixed(0)} B  vs  lru-cache ${median(h.lru).toFixed(0)} B`;
  rows.push(line);
  console.log(line);
}

// ---------------------------------------------------------------------------------------------
// 2. The path memo of WorkspaceFiles.resolve: deployed path → workspace file, 20,000 kept.

async function pathMemo(): Promise<void> {
  const dirs = ['src', 'lib', 'app', 'pkg/api', 'pkg/core', 'services/orders', 'services/users'];
  const files: string[] = [];
  for (let i = 0; i < 5_000; i++)
    files.push(`${dirs[i % dirs.length]}/m${Math.floor(i / 50)}/file${i}.ts`);
  const ws = new WorkspaceFiles('/work/ws');
  ws.replaceAll(files);
  const compute = (p: string) =>
    (ws as unknown as { compute(p: string): PathResolution }).compute(p);
  // Deployed paths: workspace files under other roots, and files that are not in the workspace.
  const deployed = (i: number) =>
    i % 3 === 2
      ? `/usr/lib/node_modules/dep${i % 400}/lib/x${i}.js`
      : `/app/${i % 2 ? 'dist/' : ''}${files[i % files.length]!}`;
  const run = (
    paths: string[],
    seq: Uint32Array,
    memo: { get(k: string, c: (k: string) => PathResolution): PathResolution },
  ) => {
    let misses = 0;
    const counted = (k: string) => {
      misses++;
      return compute(k);
    };
    return {
      round: () => {
        for (let j = 0; j < seq.length; j++) memo.get(paths[seq[j]!]!, counted);
        return seq.length;
      },
      note: () => `misses/round ${Math.round(misses / (ROUNDS + 1))}`,
    };
  };
  const hot = Array.from({ length: 2_000 }, (_, i) => deployed(i));
  const hotSeq = uniform(hot.length, 200_000, 1);
  const ours1 = run(hot, hotSeq, new ClearWhenFull<PathResolution>(20_000));
  const lru1 = run(hot, hotSeq, new LruMemo<PathResolution>(20_000));
  await compare('WorkspaceFiles path memo', 'hits (2,000 paths)', [
    { label: 'ours', ...ours1 },
    { label: 'lru-cache', ...lru1 },
  ]);
  const wide = Array.from({ length: 400_000 }, (_, i) => deployed(i));
  const wideSeq = zipf(wide.length, 0.9, 200_000, 2);
  const ours2 = run(wide, wideSeq, new ClearWhenFull<PathResolution>(20_000));
  const lru2 = run(wide, wideSeq, new LruMemo<PathResolution>(20_000));
  await compare('WorkspaceFiles path memo', 'Zipf(0.9) over 400,000 paths, past the bound', [
    { label: 'ours', ...ours2 },
    { label: 'lru-cache', ...lru2 },
  ]);
  const n = 20_000;
  const value = compute(wide[0]!);
  const heap = (which: 'ours' | 'lru') =>
    median(
      [0, 1, 2, 3, 4].map(() =>
        heapPerEntry(n, () => {
          const m = which === 'ours' ? new ClearWhenFull<PathResolution>(n) : new LruMemo(n);
          for (let i = 0; i < n; i++) m.get(wide[i]!, () => value);
          return m;
        }),
      ),
    );
  const line = `WorkspaceFiles path memo — heap per entry (20,000 entries, one shared value): ours ${heap('ours').toFixed(0)} B  vs  lru-cache ${heap('lru').toFixed(0)} B`;
  rows.push(line);
  console.log(line);
}

// ---------------------------------------------------------------------------------------------
// 3. The route-shape memo of CodeResolver.routeShape: request path → route template, 5,000 kept.

async function shapeMemo(): Promise<void> {
  const paths = Array.from(
    { length: 50_000 },
    (_, i) =>
      `GET /api/v1/${['orders', 'users', 'carts', 'items'][i % 4]}/${1000 + i}/lines/${i % 7}`,
  );
  const compute = (k: string) => pathShape(k.slice(k.indexOf(' ') + 1));
  const run = (seq: Uint32Array, memo: { get(k: string, c: (k: string) => string): string }) => {
    let misses = 0;
    const counted = (k: string) => {
      misses++;
      return compute(k);
    };
    return {
      round: () => {
        for (let j = 0; j < seq.length; j++) memo.get(paths[seq[j]!]!, counted);
        return seq.length;
      },
      note: () => `misses/round ${Math.round(misses / (ROUNDS + 1))}`,
    };
  };
  const hotSeq = uniform(1_000, 200_000, 3);
  await compare('CodeResolver route-shape memo', 'hits (1,000 paths)', [
    { label: 'ours', ...run(hotSeq, new ClearWhenFull<string>(5_000)) },
    { label: 'lru-cache', ...run(hotSeq, new LruMemo<string>(5_000)) },
  ]);
  // Request paths with ids no workspace route matches: a few hot paths and a tail seen once.
  const r = rng(4);
  const tailSeq = new Uint32Array(100_000);
  let next = 200;
  for (let j = 0; j < tailSeq.length; j++)
    tailSeq[j] = r() < 0.7 ? Math.floor(r() * 200) : next++ % paths.length;
  await compare('CodeResolver route-shape memo', '70% of asks over 200 paths, 30% new ids', [
    { label: 'ours', ...run(tailSeq, new ClearWhenFull<string>(5_000)) },
    { label: 'lru-cache', ...run(tailSeq, new LruMemo<string>(5_000)) },
  ]);
  const wideSeq = zipf(paths.length, 1.1, 100_000, 5);
  await compare('CodeResolver route-shape memo', 'Zipf(1.1) over 50,000 paths, past the bound', [
    { label: 'ours', ...run(wideSeq, new ClearWhenFull<string>(5_000)) },
    { label: 'lru-cache', ...run(wideSeq, new LruMemo<string>(5_000)) },
  ]);
}

// ---------------------------------------------------------------------------------------------
// 4. BackendTraces' per-query maps (`attempted`, `lastStatus`): 256 kept.

async function statusMaps(): Promise<void> {
  const keys = Array.from({ length: 1_000 }, (_, i) =>
    JSON.stringify([`svc-${i % 20}`, `GET /r/${i}`, 900_000, 0]),
  );
  const seq = zipf(keys.length, 1.1, 100_000, 5);
  const run = (m: { get(k: string): number | undefined; set(k: string, v: number): void }) => {
    let known = 0;
    return {
      round: () => {
        for (let j = 0; j < seq.length; j++) {
          const k = keys[seq[j]!]!;
          if (m.get(k) !== undefined) known++;
          m.set(k, j);
        }
        return seq.length;
      },
      note: () => `found/round ${Math.round(known / (ROUNDS + 1))}`,
    };
  };
  await compare('BackendTraces query maps', 'get + set, Zipf(1.1) over 1,000 queries', [
    { label: 'ours', ...run(new FirstInFirstOut<number>(256)) },
    { label: 'lru-cache', ...run(new LRUCache<string, number>({ max: 256 })) },
  ]);

  // The workload they serve: the details panel's snapshot (peek) of a function's trace lists, and
  // a fetch when one is due, against an in-memory source (no network, so the maps' share is the
  // largest it can be). The same BackendTraces class; "ours" has its two maps swapped back.
  const summaries: TraceSummary[] = Array.from({ length: 20 }, (_, i) => ({
    traceId: `t${i}`,
    rootName: 'GET /orders',
    service: 'checkout',
    startMs: 1_767_225_600_000 + i,
    durationMs: 12 + i,
    error: i % 5 === 0,
  }));
  const source: TraceSource = {
    config: { kind: 'tempo', url: 'http://tempo.invalid', environment: 'prod' },
    testConnection: () => Promise.reject(new Error('unused')),
    traceById: () => Promise.resolve([]),
    recentTraces: () => Promise.resolve(summaries),
  };
  const queries: TraceListQuery[] = Array.from({ length: 1_000 }, (_, i) => ({
    targets: [{ service: 'checkout', spanName: `op-${i}` }],
    windowMs: 900_000,
    slowMinMs: 50,
  }));
  const qseq = zipf(queries.length, 1.1, 20_000, 6);
  const panel = (fifo: boolean) => {
    let now = 1_767_225_700_000;
    const traces = new BackendTraces(() => [source], { listTtlMs: 1_000, now: () => now });
    if (fifo) {
      const t = traces as unknown as Record<'attempted' | 'lastStatus', unknown>;
      t.attempted = new FirstInFirstOut<number>(256);
      t.lastStatus = new FirstInFirstOut<unknown>(256);
    }
    let fetched = 0;
    return {
      round: async () => {
        for (let j = 0; j < qseq.length; j++) {
          now += 1;
          const q = queries[qseq[j]!]!;
          if (traces.peek(q).due) {
            fetched++;
            await traces.fetch(q);
          }
        }
        return qseq.length;
      },
      note: () => `fetches/round ${Math.round(fetched / (ROUNDS + 1))}`,
    };
  };
  await compare(
    'BackendTraces query maps',
    'panel snapshots (peek, fetch when due), Zipf(1.1) over 1,000 functions',
    [
      { label: 'ours', ...panel(true) },
      { label: 'lru-cache', ...panel(false) },
    ],
  );
}

// ---------------------------------------------------------------------------------------------
// 5. The promise memos of SourceMaps / StackResolver.bundleOnDisk: unbounded Maps (one entry per
// bundle, for the resolver's life); the container cost of a hit, against lru-cache bounded at 64.

async function promiseMemo(): Promise<void> {
  const keys = Array.from({ length: 20 }, (_, i) => `/work/ws/dist/chunk-${i}.js`);
  const seq = uniform(keys.length, 200_000, 6);
  const value = Promise.resolve('x');
  const map = new Map<string, Promise<string>>(keys.map((k) => [k, value]));
  const lru = new LRUCache<string, Promise<string>>({ max: 64 });
  for (const k of keys) lru.set(k, value);
  const run = (get: (k: string) => Promise<string> | undefined) => ({
    round: () => {
      let n = 0;
      for (let j = 0; j < seq.length; j++) if (get(keys[seq[j]!]!)) n++;
      return n;
    },
  });
  await compare('SourceMaps promise memo', 'hits (20 bundles)', [
    { label: 'ours', ...run((k) => map.get(k)) },
    { label: 'lru-cache', ...run((k) => lru.get(k)) },
  ]);
}

async function main(): Promise<void> {
  await sourceCaches();
  await pathMemo();
  await shapeMemo();
  await statusMaps();
  await promiseMemo();
  console.log(
    `\n${ROUNDS} rounds per variant, alternating order; medians (± median absolute deviation).`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
