// Finding functions in a file's parsed ranges: the innermost one holding a line, and the ones a
// telemetry name (`OrderService.placeOrder`, `com.acme.Orders$Inner.run`, `(*Svc).Run`) points to.
// Shared by the mapper, the route index, stack frames and alerts.
import type { FunctionRange } from './model';

/** The innermost function whose lines [startLine, endLine] contain `line` (1-based). */
export function functionAt(
  ranges: readonly FunctionRange[],
  line: number,
): FunctionRange | undefined {
  let best: FunctionRange | undefined;
  for (const r of ranges) {
    if (line < r.startLine || line > r.endLine) continue;
    // Later start, then earlier end, is deeper; on a full tie the later entry (the inner one, as
    // the parser sorts outer first) wins.
    if (
      !best ||
      r.startLine > best.startLine ||
      (r.startLine === best.startLine && r.endLine <= best.endLine)
    )
      best = r;
  }
  return best;
}

/**
 * The functions a telemetry function name refers to, best matches only. `name` may be bare
 * (`placeOrder`) or qualified in any common style: `com.acme.OrderService.placeOrder`,
 * `Acme::Orders#place`, Go's `orders.(*Server).Handle`, Python's `outer.<locals>.inner`, Java's
 * `Outer$Inner.run`. The more trailing segments agree, the better; an exact qualified name wins.
 */
export function functionsNamed(ranges: readonly FunctionRange[], name: string): FunctionRange[] {
  const wanted = nameSegments(name);
  let bestScore = 0;
  let best: FunctionRange[] = [];
  for (const r of ranges) {
    const matched = suffixMatch(r, wanted);
    if (matched === 0) continue;
    const score = matched * 2 + (r.qualifiedName === name ? 1 : 0);
    if (score > bestScore) {
      bestScore = score;
      best = [r];
    } else if (score === bestScore) {
      best.push(r);
    }
  }
  return best;
}

/**
 * How many trailing segments of a telemetry function name agree with the function's qualified
 * name (0: no match). Lets callers grade a match: 1 is a bare-name match, more is a qualified one.
 */
export function nameMatchLength(range: FunctionRange, name: string): number {
  return suffixMatch(range, nameSegments(name));
}

function suffixMatch(range: FunctionRange, wanted: readonly string[]): number {
  const have = range.qualifiedName.split('.');
  let n = 0;
  while (n < wanted.length && n < have.length) {
    const w = wanted[wanted.length - 1 - n];
    const h = have[have.length - 1 - n];
    // `Class#method` telemetry must still find a JS private `#method`.
    if (w === undefined || h === undefined || (h !== w && h !== `#${w}`)) break;
    n++;
  }
  return n;
}

/** Splits a telemetry function name into its scope segments, dropping decoration. */
function nameSegments(name: string): string[] {
  const cleaned = name
    .trim()
    .replace(/\((?:[^()]*)\)\s*$/, '') // trailing parameter list: `Foo.bar(java.lang.String)`
    .replace(/\(\*?([\w$]+)(?:\[[^\]]*\])?\)/g, '$1') // Go receivers: `(*Server)`, `(*Cache[...])`
    .replace(/([\w$])<[^<>]*>/g, '$1') // generic arguments: `List<T>.add`
    .replace(/\[[^\]]*\]/g, '') // Go instantiations: `Map[...]`
    .replace(/([A-Za-z0-9_])\$(?=[A-Z0-9])/g, '$1.'); // Java nested classes: `Outer$Inner`, `Outer$1`
  return cleaned.split(/::|[.:#/\\]/).filter((s) => s.length > 0 && !s.startsWith('<')); // `<locals>`, `<anonymous>`, `<module>`
}
