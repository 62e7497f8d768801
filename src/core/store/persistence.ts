// Saves and restores aggregates as one versioned JSON file, written atomically (temp + rename)
// so a crash mid-write never leaves a torn file. Raw spans are not persisted: they are
// drill-down material, and the aggregates are what must survive a window reload.
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { AggregateStore } from './aggregate-store';
import { LatencySketch } from './latency-sketch';
import { Bucket, Series, SeriesIdentity } from './series';

// Format 2: hour buckets hold only rolled-up minutes (format 1 double-counted the last hour).
const FORMAT = 2;
export const STORE_FILE = 'aggregates.v2.json';

type BucketRow = [
  startMs: number,
  count: number,
  errors: number,
  min: number,
  max: number,
  sum: number,
  sketch: string,
];

interface StoreFile {
  format: number;
  savedAtMs: number;
  collectingSinceMs?: number;
  series: {
    id: string;
    identity: SeriesIdentity;
    lastSeenMs: number;
    minutes: BucketRow[];
    hours: BucketRow[];
  }[];
}

export function serializeStore(store: AggregateStore): string {
  const out: StoreFile = { format: FORMAT, savedAtMs: store.now(), series: [] };
  if (store.collectingSinceMs !== undefined) out.collectingSinceMs = store.collectingSinceMs;
  for (const s of store.all()) {
    out.series.push({
      id: s.id,
      identity: s.identity,
      lastSeenMs: s.lastSeenMs,
      minutes: rows(s.minutes),
      hours: rows(s.hours),
    });
  }
  return JSON.stringify(out);
}

function rows(map: Map<number, Bucket>): BucketRow[] {
  return [...map.values()].map((b) => [
    b.startMs,
    b.count,
    b.errors,
    b.sketch.min,
    b.sketch.max,
    b.sketch.sum,
    b.sketch.toBase64(),
  ]);
}

/** Restores into `store`; returns the number of series restored. Throws on a malformed file. */
export function deserializeInto(store: AggregateStore, text: string): number {
  const data = JSON.parse(text) as StoreFile;
  if (data.format !== FORMAT || !Array.isArray(data.series))
    throw new Error(`unsupported aggregates file format ${String(data.format)}`);
  for (const row of data.series) {
    const s = new Series(row.id, row.identity);
    s.lastSeenMs = row.lastSeenMs;
    fill(s.minutes, row.minutes);
    fill(s.hours, row.hours);
    store.restore(s);
  }
  if (typeof data.collectingSinceMs === 'number') {
    store.collectingSinceMs = Math.min(store.collectingSinceMs ?? Infinity, data.collectingSinceMs);
  }
  store.prune();
  store.commit();
  return data.series.length;
}

function fill(map: Map<number, Bucket>, rows: BucketRow[]): void {
  for (const [startMs, count, errors, min, max, sum, sketch] of rows) {
    map.set(startMs, {
      startMs,
      count,
      errors,
      sketch: LatencySketch.fromBase64(sketch, min, max, sum),
    });
  }
}

export async function saveStore(store: AggregateStore, dir: string): Promise<string> {
  const file = join(dir, STORE_FILE);
  await fs.mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, serializeStore(store));
  await fs.rename(tmp, file);
  return file;
}

/** Loads a saved store if one exists; a missing file is not an error, a corrupt one is. */
export async function loadStore(store: AggregateStore, dir: string): Promise<number> {
  let text: string;
  try {
    text = await fs.readFile(join(dir, STORE_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  return deserializeInto(store, text);
}
