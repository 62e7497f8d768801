// "Why no data here?": for one function, which telemetry came close and why it did not land
// on it — path mapping, name, window, environment — with a fix to try. Competitors' users most
// often ask exactly this; the answer should never be silence.
import type { BackendUnmapped } from '../engine/backend-stats';
import type { Engine } from '../engine/engine';
import { bareName } from '../mapping/mapper';
import type { FunctionRange } from '../model';
import type { Series } from '../store/series';
import { formatDuration } from '../format/numbers';
import { canonicalRoute } from '../routes/route-pattern';
import { suggestPathMappings } from './unmapped-reasons';

export interface NearMiss {
  service: string;
  environment: string;
  /** What the telemetry said: `code.file.path` etc., or the span name. */
  telemetry: string;
  count: number;
  why: string;
  fix?: string;
  /** Set for a backend's row (`prometheus (prod)`); `count` is then the calls it counted. */
  source?: string;
  /** The row's labels as the backend gave them. */
  labels?: Record<string, string>;
}

export interface Diagnosis {
  file: string;
  function: string;
  /** One sentence: the main finding. */
  summary: string;
  nearMisses: NearMiss[];
}

function basename(p: string): string {
  return p.replace(/\\/g, '/').split('/').pop() ?? p;
}

/** Backend rows listed at most: the ones naming this function or file first, then any others. */
const MAX_BACKEND_ROWS = 10;

/**
 * `backendUnmapped`: the rows a production backend (Prometheus) gave that reached no function
 * (BackendStats.unmapped()), listed with their labels and the reason.
 */
export function whyNoData(
  engine: Engine,
  file: string,
  fn: FunctionRange,
  q: { windowMs: number; environment?: string },
  backendUnmapped: readonly BackendUnmapped[] = [],
): Diagnosis {
  const misses: NearMiss[] = [];
  const base = basename(file);
  const name = fn.name;
  const now = engine.now();
  const inWindow = (s: Series) => engine.windowStats([s], q.windowMs, 1, now).count;
  const everSeen = (s: Series) => engine.windowStats([s], 7 * 24 * 3_600_000, 1, now).count;
  // The routes this function handles: a server span of one of them is a near miss wherever it landed.
  const ranges = engine.cachedFunctionsIn(file);
  const routes = ranges ? engine.routesHandledBy(file, fn, ranges) : [];
  const wantedRoutes = new Set(routes.map((e) => e.route));
  let routeless = 0;
  for (const s of engine.allSeries()) {
    const id = s.identity;
    if (id.layer?.kind === 'no-route') routeless += inWindow(s);
    const sameFile = id.filePath !== undefined && basename(id.filePath) === base;
    const sameName =
      (id.functionName !== undefined && bareName(id.functionName) === name) ||
      bareName(id.spanName) === name ||
      (id.handler !== undefined && id.handler.callback === name);
    const sameRoute = id.route !== undefined && wantedRoutes.has(canonicalRoute(id.route.template));
    if (!sameFile && !sameName && !sameRoute) continue;
    const m = engine.mappingOf(s);
    const telemetry = id.filePath
      ? `${id.filePath}${id.line ? `:${id.line}` : ''}${id.functionName ? ` (${id.functionName})` : ''}`
      : `span "${id.spanName}"`;
    const base2 = { service: id.service, environment: id.environment, telemetry };
    const count = inWindow(s);
    if (m.function && m.file === file && m.function.startLine === fn.startLine) {
      // It does map here: the reason must be the window or the environment filter.
      if (q.environment && id.environment !== q.environment) {
        misses.push({
          ...base2,
          count,
          why: `maps here, but its environment "${id.environment}" is filtered out by prodlens.environment = "${q.environment}"`,
          fix: 'clear prodlens.environment or set it to this environment',
        });
      } else if (count === 0) {
        misses.push({
          ...base2,
          count: everSeen(s),
          why: `maps here, but none of its spans fall in the last ${formatDuration(q.windowMs)}`,
          fix: 'choose a longer window (ProdLens: Select Time Window)',
        });
      }
      continue;
    }
    if (m.function) {
      // Spans of this file that land on its other functions are not near misses; a span that
      // names this function but lands elsewhere is.
      if (sameName || sameRoute)
        misses.push({
          ...base2,
          count,
          why: `maps to ${m.function.qualifiedName} in ${m.file} instead: ${m.explanation}`,
        });
    } else {
      const suggestion =
        id.filePath && sameFile && m.candidates === undefined && m.file === undefined
          ? pathMappingFix(id.filePath, file)
          : undefined;
      const settle =
        !suggestion && m.candidates && id.filePath
          ? suggestPathMappings(id.filePath, m.candidates, id.service)
          : [];
      const fix =
        suggestion ??
        (settle.length
          ? `add to prodlens.pathMappings ${settle.length === 1 ? '' : 'one of '}${settle.map((r) => JSON.stringify(r)).join(' or ')}`
          : m.candidates
            ? `add a prodlens.pathMappings rule to choose among ${m.candidates.join(', ')}`
            : undefined);
      misses.push({ ...base2, count, why: m.explanation, ...(fix ? { fix } : {}) });
    }
  }
  misses.sort((a, b) => b.count - a.count);
  const backend = backendMisses(backendUnmapped, base, name);
  const summary =
    misses.length === 0 && backend.length > 0
      ? `Nothing from the receiver came close; ${backend.length} ${backend[0]!.source} series mapped to no function, the first: ${backend[0]!.why}`
      : misses.length === 0
        ? engine.seriesCount === 0
          ? 'No telemetry has arrived at all: point OTEL_EXPORTER_OTLP_ENDPOINT at the ProdLens receiver.'
          : routes.length
            ? `${fn.qualifiedName} handles ${routes.map((e) => `${e.registration.method} ${e.template}`).join(', ')} (registered at ${routes[0]!.registration.file}:${routes[0]!.registration.line}${routes[0]!.via.length ? `, mounted through ${routes[0]!.via.join(' → ')}` : ''}), and no server span for ${routes.length === 1 ? 'it' : 'them'} arrived in the last ${formatDuration(q.windowMs)}.${routeless ? ` ${routeless} server spans arrived without any route: their instrumentation sets neither http.route nor a request path (for Fastify, add @fastify/otel).` : ''}`
            : routeless
              ? `No span names this file or a function called ${name}, and ${routeless} server spans arrived without any route (their instrumentation sets neither http.route nor a request path; for Fastify, add @fastify/otel).`
              : `No span names this file or a function called ${name}, and no route the workspace registers is handled here. Spans map by their code.* attributes (code.file.path with code.line.number or code.function.name), by their HTTP route, or by a NestJS controller; does this code path create spans?`
        : `${misses.length} telemetry source${misses.length === 1 ? '' : 's'} came close; the first: ${misses[0]!.why}`;
  return {
    file,
    function: fn.qualifiedName,
    summary,
    nearMisses: [...misses.slice(0, 20), ...backend],
  };
}

function backendMisses(rows: readonly BackendUnmapped[], base: string, name: string): NearMiss[] {
  const near: NearMiss[] = [];
  const other: NearMiss[] = [];
  for (const u of rows) {
    const r = u.row;
    const labels: Record<string, string> = { service_name: r.service, span_name: r.spanName };
    if (r.codeFunction !== undefined) labels.code_function = r.codeFunction;
    if (r.codeFile !== undefined) labels.code_file = r.codeFile;
    const isNear =
      (r.codeFile !== undefined && basename(r.codeFile) === base) ||
      (r.codeFunction !== undefined && bareName(r.codeFunction) === name) ||
      bareName(r.spanName) === name;
    const telemetry = `${u.source}: ${Object.entries(labels)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(', ')}`;
    const miss: NearMiss = {
      service: r.service,
      environment: '',
      telemetry,
      count: Math.round(r.count),
      why: isNear ? u.reason : `maps to no function (not this one either): ${u.reason}`,
      source: u.source,
      labels,
    };
    if (!r.codeFunction && !r.codeFile)
      miss.fix =
        'add a code-function dimension to the span metrics and set prodlens.prometheus.codeFunctionLabel';
    (isNear ? near : other).push(miss);
  }
  const byCount = (a: NearMiss, b: NearMiss) => b.count - a.count;
  return [...near.sort(byCount), ...other.sort(byCount)].slice(0, MAX_BACKEND_ROWS);
}

/** A prefix rule that turns the deployed path into the workspace path, when one exists. */
function pathMappingFix(deployed: string, file: string): string | undefined {
  const d = deployed.replace(/\\/g, '/');
  const segs = file.split('/');
  for (let i = segs.length - 1; i >= 0; i--) {
    const tail = segs.slice(i).join('/');
    if (d.endsWith('/' + tail)) {
      const from = d.slice(0, d.length - tail.length);
      const to = segs.slice(0, i).join('/');
      return `add to prodlens.pathMappings: { "from": "${from}", "to": "${to ? `${to}/` : ''}" }`;
    }
  }
  return undefined;
}
