// Maps a position in bundled JavaScript back to its original source through the bundle's source
// map: `//# sourceMappingURL=` (a file next to it or a data: URI), else a sibling `<bundle>.map`.
// Missing or broken maps are an answer ('no-map' / 'broken'), never an exception.
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { dirname, isAbsolute, join } from 'node:path';

export type SourceMapStatus = 'mapped' | 'no-map' | 'broken' | 'no-mapping';

export interface OriginalPosition {
  status: SourceMapStatus;
  /** Absolute path (or URL such as `webpack://app/src/x.ts`) of the original source. */
  source?: string;
  line?: number;
  /** 1-based, like the V8 column it came from. */
  column?: number;
  name?: string;
  /** Where the map came from, or what was wrong with it. */
  detail: string;
}

/** Reads a file as text, or undefined when it is missing, unreadable or too large. */
export type ReadText = (absPath: string) => Promise<string | undefined>;

const MAX_MAP_URL = 64 * 1024 * 1024; // data: URIs of big bundles are long, but not unbounded

interface LoadedMap {
  map?: TraceMap;
  status: 'ok' | 'no-map' | 'broken';
  detail: string;
}

export class SourceMaps {
  private readonly maps = new Map<string, Promise<LoadedMap>>();

  constructor(private readonly readText: ReadText) {}

  /** `line` 1-based and `column` 1-based as V8 prints them. */
  async original(
    bundlePath: string,
    line: number,
    column: number | undefined,
  ): Promise<OriginalPosition> {
    const loaded = await this.load(bundlePath);
    if (!loaded.map)
      return { status: loaded.status === 'broken' ? 'broken' : 'no-map', detail: loaded.detail };
    try {
      // trace-mapping takes 1-based lines and 0-based columns; V8 columns are 1-based.
      const pos = originalPositionFor(loaded.map, { line, column: Math.max(0, (column ?? 1) - 1) });
      if (pos.source === null || pos.line === null)
        return {
          status: 'no-mapping',
          detail: `${loaded.detail} has no mapping for line ${line}${column !== undefined ? `:${column}` : ''}`,
        };
      const r: OriginalPosition = {
        status: 'mapped',
        source: pos.source,
        line: pos.line,
        column: pos.column + 1,
        detail: loaded.detail,
      };
      if (pos.name !== null) r.name = pos.name;
      return r;
    } catch (e) {
      return {
        status: 'broken',
        detail: `${loaded.detail} could not be read: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
  }

  private load(bundlePath: string): Promise<LoadedMap> {
    let p = this.maps.get(bundlePath);
    if (!p) {
      p = this.read(bundlePath).catch((e: unknown) => ({
        status: 'broken' as const,
        detail: `source map of ${bundlePath}: ${e instanceof Error ? e.message : String(e)}`,
      }));
      this.maps.set(bundlePath, p);
    }
    return p;
  }

  private async read(bundlePath: string): Promise<LoadedMap> {
    const code = await this.readText(bundlePath);
    if (code === undefined) return { status: 'no-map', detail: `${bundlePath} could not be read` };
    const url = mappingUrl(code);
    let json: string | undefined;
    let mapPath: string;
    let origin: string;
    if (url?.startsWith('data:')) {
      json = decodeDataUri(url);
      mapPath = bundlePath;
      origin = `the inline source map of ${bundlePath}`;
      if (json === undefined)
        return { status: 'broken', detail: `${origin} is not a readable data: URI` };
    } else {
      const rel = url ? safeDecode(url.replace(/^file:\/\//, '')) : undefined;
      mapPath = rel
        ? isAbsolute(rel)
          ? rel
          : join(dirname(bundlePath), rel)
        : `${bundlePath}.map`;
      origin = `source map ${mapPath}`;
      json = await this.readText(mapPath);
      if (json === undefined)
        return {
          status: url ? 'broken' : 'no-map',
          detail: url
            ? `${bundlePath} names ${url} but it cannot be read`
            : `${bundlePath} has no source map`,
        };
    }
    try {
      const map = new TraceMap(
        JSON.parse(json) as ConstructorParameters<typeof TraceMap>[0],
        mapPath.replace(/\\/g, '/'),
      );
      return { map, status: 'ok', detail: origin };
    } catch (e) {
      return {
        status: 'broken',
        detail: `${origin} is not a valid source map (${e instanceof Error ? e.message : String(e)})`,
      };
    }
  }
}

/** The last `//# sourceMappingURL=` comment (`//@` is the legacy spelling), searched from the end. */
export function mappingUrl(code: string): string | undefined {
  const at = Math.max(
    code.lastIndexOf('//# sourceMappingURL='),
    code.lastIndexOf('//@ sourceMappingURL='),
  );
  if (at < 0) return undefined;
  const start = at + '//# sourceMappingURL='.length;
  let end = start;
  while (end < code.length && end - start < MAX_MAP_URL && !/\s/.test(code[end]!)) end++;
  const url = code.slice(start, end);
  return url.length > 0 ? url : undefined;
}

function decodeDataUri(url: string): string | undefined {
  const comma = url.indexOf(',');
  if (comma < 0) return undefined;
  const meta = url.slice(5, comma);
  const data = url.slice(comma + 1);
  try {
    return meta.endsWith(';base64')
      ? Buffer.from(data, 'base64').toString('utf8')
      : decodeURIComponent(data);
  } catch {
    return undefined;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
