// Why telemetry did not reach a function, grouped into reasons a user can act on: one true
// sentence per group, what to do about it, how many spans it holds and one example. The CLI's
// report prints the top reasons (and all of them with --json); "Why No Data Here?" uses the same
// classification, so both faces say the same thing.
import type { Engine, QueryOptions } from '../engine/engine';
import type { MappingResult } from '../model';
import type { Series } from '../store/series';

export interface UnmappedReason {
  /** Stable key of the reason, e.g. `no-route` or `route-not-registered`. */
  kind: string;
  /** What holds for every span of the group. */
  reason: string;
  /** What to do about it, when something can be done. */
  fix?: string;
  /** Spans in the window. */
  count: number;
  /** Series (code locations or span names) in the group. */
  series: number;
  /** The busiest series of the group: its span name, service and the mapping's own explanation. */
  example: { service: string; span: string; explanation: string };
  /** True for spans left out on purpose (a framework's inner spans): nothing is missing. */
  expected?: boolean;
  /** Deployed paths: a few of the group's, the workspace files they could be, and the rule(s) that would settle it. */
  paths?: {
    examples: string[];
    candidates: string[];
    pathMappings: { from: string; to: string }[];
  };
}

/**
 * The `prodlens.pathMappings` entries that turn a deployed path into each candidate workspace
 * file (`/app/src/orders.ts` → `services/api/src/orders.ts`: `{ from: '/app/', to: 'services/api/' }`).
 * A candidate whose folders name the service comes first, alone: that is most likely the one.
 */
export function suggestPathMappings(
  deployed: string,
  candidates: readonly string[],
  service: string,
): { from: string; to: string }[] {
  const d = deployed.replace(/\\/g, '/');
  const out: { from: string; to: string }[] = [];
  for (const c of candidates) {
    const file = c.replace(/ \(.*\)$/, '');
    const segs = file.split('/');
    for (let i = 0; i < segs.length; i++) {
      const tail = segs.slice(i).join('/');
      if (!d.endsWith(`/${tail}`)) continue;
      out.push({
        from: d.slice(0, d.length - tail.length),
        to: i ? `${segs.slice(0, i).join('/')}/` : '',
      });
      break;
    }
  }
  const named = out.filter((m) =>
    m.to.split('/').some((seg) => seg && (seg === service || service.split(/[-_.]/).includes(seg))),
  );
  return named.length === 1 ? named : out;
}

const KIND_NAMES: Record<number, string> = {
  1: 'internal',
  3: 'client',
  4: 'producer',
  5: 'consumer',
};

/** The reason a series did not map, as a group key with its sentence and fix. */
export function classifyUnmapped(
  s: Series,
  m: MappingResult,
): Omit<UnmappedReason, 'count' | 'series' | 'example'> {
  const id = s.identity;
  if (id.layer?.kind === 'framework-inner') {
    return {
      kind: 'framework-inner',
      reason:
        'framework inner spans (Express middleware and request handlers, NestJS, Fastify, Koa, Hapi layers) inside requests whose server span is mapped: not counted twice',
      expected: true,
    };
  }
  if (id.layer?.kind === 'no-route') {
    return {
      kind: 'no-route',
      reason:
        'server spans carry no route: the instrumentation sets neither http.route nor a request path (url.path / http.target)',
      fix: "for Fastify add @fastify/otel; otherwise enable the framework's OpenTelemetry instrumentation, or set code.* attributes on the server span",
    };
  }
  if (id.handler) {
    return {
      kind: 'nest-controller',
      reason:
        'NestJS spans name a controller class that is not in the workspace, or a member it lacks',
      fix: 'open the workspace that holds this service',
    };
  }
  if (id.route) {
    if (m.confidence === 'ambiguous')
      return {
        kind: 'route-ambiguous',
        reason: 'routes that fit several registrations equally well (not choosing one)',
        fix: 'the candidates are listed in the example; add code.* attributes to the server span to settle it',
      };
    if (/could not be followed/.test(m.explanation) && !m.file) {
      return {
        kind: 'route-mount-unfollowed',
        reason: 'routes registered under a prefix whose mount could not be followed',
        fix: 'the example names the mount (file:line) where the chain stopped',
      };
    }
    if (!m.file)
      return {
        kind: 'route-not-registered',
        reason:
          "routes that no registration in the workspace serves (is this service's code in this workspace?)",
        fix: 'open the service that serves these routes, or check the route prefixes',
      };
    return {
      kind: 'route-handler-not-found',
      reason:
        'routes whose registration was found but whose handler is not a function ProdLens can name',
      fix: 'the example says where the handler was looked for',
    };
  }
  if (id.codeSource === 'none') {
    const kind = KIND_NAMES[id.kind] ?? 'other';
    return {
      kind: `no-code-${kind}`,
      reason: `${kind} spans without code.* attributes, route or handler name (${kind === 'client' ? 'outgoing calls: database, HTTP, cache' : 'work inside a request'}); they count on the code that made them through their traces`,
      expected: kind === 'client',
    };
  }
  if (m.confidence === 'ambiguous') {
    return {
      kind: 'path-ambiguous',
      reason: 'code paths that fit several workspace files equally well',
      fix: 'add a prodlens.pathMappings rule (the example lists the candidates)',
    };
  }
  if (!m.file)
    return {
      kind: 'path-not-found',
      reason: 'code paths that match no workspace file',
      fix: 'add a prodlens.pathMappings rule from the deployed prefix to the workspace folder, or open the service that runs this code',
    };
  return {
    kind: `no-function:${m.rule}`,
    reason:
      'code locations in workspace files that no function holds (top-level code, a line past the end, a name the file lacks)',
    fix: 'the example says which line or name',
  };
}

/** The unmapped series of the window, grouped by reason, most spans first. */
export function unmappedReasons(engine: Engine, q: QueryOptions): UnmappedReason[] {
  const groups = new Map<string, UnmappedReason>();
  for (const u of engine.unmapped(q)) {
    const c = classifyUnmapped(u.series, u.mapping);
    const id = u.series.identity;
    // Deployed paths are grouped per service: one service's code shares one deployed prefix.
    const pathKind = c.kind === 'path-ambiguous' || c.kind === 'path-not-found';
    const key = pathKind ? `${c.kind}\u0000${id.service}` : c.kind;
    let g = groups.get(key);
    const example = { service: id.service, span: id.spanName, explanation: u.mapping.explanation };
    if (!g) groups.set(key, (g = { ...c, count: u.count, series: 1, example }));
    else {
      g.count += u.count;
      g.series += 1;
    }
    if (pathKind && id.filePath) {
      g.paths ??= { examples: [], candidates: [], pathMappings: [] };
      if (g.paths.examples.length < 3 && !g.paths.examples.includes(id.filePath))
        g.paths.examples.push(id.filePath);
      for (const cand of u.mapping.candidates ?? [])
        if (g.paths.candidates.length < 6 && !g.paths.candidates.includes(cand))
          g.paths.candidates.push(cand);
      if (g.paths.pathMappings.length === 0 && u.mapping.candidates?.length) {
        g.paths.pathMappings = suggestPathMappings(id.filePath, u.mapping.candidates, id.service);
        if (g.paths.pathMappings.length)
          g.fix = `add to prodlens.pathMappings ${g.paths.pathMappings.length === 1 ? '' : 'one of '}${g.paths.pathMappings.map((m) => JSON.stringify(m)).join(' or ')}`;
      }
    }
  }
  return [...groups.values()].sort(
    (a, b) => Number(a.expected ?? false) - Number(b.expected ?? false) || b.count - a.count,
  );
}
