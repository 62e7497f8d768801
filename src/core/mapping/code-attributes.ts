// Reads where a span says its code is from the OpenTelemetry `code.*` attributes. Current names
// (semconv ≥ 1.33) win; the deprecated ones are still what many agents send by default (the Java
// agent sends `code.namespace` + `code.function`), so both are read.
import type { Attributes, CodeLocation } from '../model';

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function int(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The location a stored series was keyed by (the inverse of what ingest recorded). */
export function locationOfIdentity(
  id: Pick<
    CodeLocation,
    'filePath' | 'functionName' | 'line' | 'route' | 'handler' | 'layer' | 'revision'
  > & { codeSource: string },
): CodeLocation {
  const loc: CodeLocation = { source: id.codeSource as CodeLocation['source'] };
  if (id.filePath !== undefined) loc.filePath = id.filePath;
  if (id.functionName !== undefined) loc.functionName = id.functionName;
  if (id.line !== undefined) loc.line = id.line;
  if (id.route !== undefined) loc.route = id.route;
  if (id.handler !== undefined) loc.handler = id.handler;
  if (id.layer !== undefined) loc.layer = id.layer;
  if (id.revision !== undefined) loc.revision = id.revision;
  return loc;
}

export function readCodeLocation(attrs: Attributes): CodeLocation {
  const currentPath = str(attrs['code.file.path']);
  const oldPath = str(attrs['code.filepath']);
  const currentFn = str(attrs['code.function.name']);
  const oldFn = str(attrs['code.function']);
  const namespace = str(attrs['code.namespace']);
  const loc: CodeLocation = { source: 'none' };
  const filePath = currentPath ?? oldPath;
  if (filePath) loc.filePath = filePath;
  const line = int(attrs['code.line.number']) ?? int(attrs['code.lineno']);
  if (line) loc.line = line;
  const column = int(attrs['code.column.number']) ?? int(attrs['code.column']);
  if (column) loc.column = column;
  // `code.function` was unqualified and `code.namespace` held the class/module: join them.
  const fn = currentFn ?? (oldFn && namespace ? `${namespace}.${oldFn}` : oldFn);
  if (fn) loc.functionName = fn;
  if (currentPath) loc.source = 'code.file.path';
  else if (oldPath) loc.source = 'code.filepath';
  else if (currentFn) loc.source = 'code.function.name';
  else if (oldFn) loc.source = 'code.function';
  return loc;
}
