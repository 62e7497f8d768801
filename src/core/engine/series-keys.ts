// Series keys without building a string per span. The decoder hands out the same string objects
// for repeated attribute values, and V8 caches a string's hash in the string, so nested maps keyed
// by the parts find a known series faster than concatenating and hashing a fresh key each time.
import type { CodeLocation, ResourceInfo } from '../model';
import { seriesKeyOf } from '../store/series';

type ByLine = Map<number | string, string>;

const SERVER_KIND = 2;
type ByFunction = Map<string, ByLine>;

const LIMIT = 50_000;

export class SeriesKeys {
  private readonly resourceKeys = new WeakMap<ResourceInfo, string>();
  private readonly code = new Map<string, Map<string, ByFunction>>();
  private readonly names = new Map<string, Map<number, Map<string, string>>>();
  private size = 0;

  keyOf(r: ResourceInfo, loc: CodeLocation, kind: number, spanName: string): string {
    let rk = this.resourceKeys.get(r);
    if (rk === undefined) {
      rk = `${r.service}\u0000${r.environment}\u0000${r.version}`;
      this.resourceKeys.set(r, rk);
    }
    if (this.size > LIMIT) this.clear();
    if (loc.source === 'none') {
      let byKind = this.names.get(rk);
      if (!byKind) this.names.set(rk, (byKind = new Map()));
      let byName = byKind.get(kind);
      if (!byName) byKind.set(kind, (byName = new Map()));
      let key = byName.get(spanName);
      if (key === undefined) {
        key = seriesKeyOf(r.service, r.environment, r.version, loc, kind, spanName);
        byName.set(spanName, key);
        this.size++;
      }
      return key;
    }
    let byFile = this.code.get(rk);
    if (!byFile) this.code.set(rk, (byFile = new Map()));
    const file = loc.filePath ?? '';
    let byFn = byFile.get(file);
    if (!byFn) byFile.set(file, (byFn = new Map()));
    const fn = loc.functionName ?? '';
    let byLine = byFn.get(fn);
    if (!byLine) byFn.set(fn, (byLine = new Map()));
    const line = loc.line ?? 0;
    // Server spans: one series per route the handler serves (seriesKeyOf adds the name).
    const slot = kind === SERVER_KIND ? `${line}\u0000${spanName}` : line;
    let key = byLine.get(slot);
    if (key === undefined) {
      key = seriesKeyOf(r.service, r.environment, r.version, loc, kind, spanName);
      byLine.set(slot, key);
      this.size++;
    }
    return key;
  }

  private clear(): void {
    this.code.clear();
    this.names.clear();
    this.size = 0;
  }
}
