// The ingest worker has no route index, so it cannot tell which route a bare request path was
// served by. It writes a placeholder for that answer into the series name and route; the engine
// fills it in once per series with its own index (the same answer the in-process path gets).
// The markers are control characters no decoded span name carries (the decoder keeps them, but a
// name holding this exact pattern would only be shaped as a path — harmless).
const OPEN = '\u0000route?';
const SEP = '\u0000';
const CLOSE = '\u0000?';

/** A placeholder for "the route `method path` was served by". */
export function deferredShape(method: string, path: string): string {
  return `${OPEN}${method}${SEP}${path}${CLOSE}`;
}

export function hasDeferredShape(text: string): boolean {
  return text.includes(OPEN);
}

/** `text` with every placeholder replaced by `shape(method, path)`. */
export function fillDeferredShapes(
  text: string,
  shape: (method: string, path: string) => string,
): string {
  let out = '';
  let at = 0;
  for (;;) {
    const open = text.indexOf(OPEN, at);
    if (open < 0) return out + text.slice(at);
    const sep = text.indexOf(SEP, open + OPEN.length);
    const close = text.indexOf(CLOSE, sep + 1);
    if (sep < 0 || close < 0) return out + text.slice(at);
    out +=
      text.slice(at, open) + shape(text.slice(open + OPEN.length, sep), text.slice(sep + 1, close));
    at = close + CLOSE.length;
  }
}
