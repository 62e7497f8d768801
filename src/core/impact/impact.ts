// Joins the changed functions with production data: traffic, latency, errors and their trend,
// the endpoints whose traces pass through each, local alerts, hotness; then a risk level with
// one short reason per function, ranked, so a reviewer reads the riskiest change first.
// Telemetry is attributed on the previous version of each changed file first (see `attribute`):
// deployed code is the old code, and working-tree line shifts would mis-map it.
//
// Risk score (points, summed):
//   traffic share of all mapped spans in the window  ≥10% 3 · ≥1% 2 · any 1
//   busiest endpoint path share (traces through it)  ≥50% 3 · ≥10% 2 · any 1
//   p95                                              ≥1 s 2 · ≥300 ms 1
//   error rate (10+ calls)                           ≥5% 2 · ≥1% 1
//   trend against the previous window                p95 ×1.5 or errors ×2: 1
//   alerts on the function                           critical 3 · warning 2
//   hotness (rank by time spent)                     top 3 2 · top 10 1
// A rename or move that leaves the body alone halves the score (behaviour did not change).
// Level: ≥7 high, ≥4 medium, ≥1 low, no data none. A deleted function that still serves
// traffic is high whatever its score: callers in production still reach it.
import type { Engine, QueryOptions } from '../engine/engine';
import {
  formatCount,
  formatDuration,
  formatErrorRate,
  formatMs,
  formatRate,
} from '../format/numbers';
import { evaluateLocalAlerts, type CodeAlert } from '../insights/local-alerts';
import { rankHotspots } from '../insights/hotspots';
import { locationOfIdentity } from '../mapping/code-attributes';
import { bareName } from '../mapping/mapper';
import { CodeResolver, isUsable } from '../resolver/code-resolver';
import type { PathRule } from '../mapping/path-rules';
import { WorkspaceFiles } from '../mapping/workspace-files';
import type { CodeLocation, WindowStats } from '../model';
import type { Series } from '../store/series';
import type { ChangedFunction, ChangeKind, ChangeNote, ChangeSet } from './changed-functions';

export type RiskLevel = 'none' | 'low' | 'medium' | 'high';
export const RISK_LEVELS: readonly RiskLevel[] = ['none', 'low', 'medium', 'high'];

/** An alert on a function: local rules today, an alerting backend's later. */
export interface ImpactAlert {
  name: string;
  state: 'firing' | 'pending' | 'resolved';
  severity: 'critical' | 'warning' | 'info';
  /** ISO time it started, when the source knows it (local alerts do not). */
  startsAt: string | null;
  summary?: string;
  source: string;
}

export interface ImpactCaller {
  endpoint: string;
  service: string;
  /** Recent traces of the endpoint that pass through the function, of `total`. */
  traces: number;
  total: number;
  share: number;
}

export type NoDataReason = 'new' | 'not mapped' | 'never seen' | 'no data source';

export interface ImpactTrend {
  previousCount: number;
  previousP95Ms: number | null;
  previousErrorRate: number | null;
  /** Now ÷ before; null when the previous window had no data. */
  countRatio: number | null;
  p95Ratio: number | null;
}

export interface ImpactItem {
  file: string;
  function: string;
  line: number;
  change: ChangeKind;
  previousFile?: string;
  previousName?: string;
  bodyChanged: boolean;
  count: number;
  errors: number;
  errorRate: number;
  ratePerMin: number;
  p50Ms: number | null;
  p95Ms: number | null;
  meanMs: number | null;
  /** count ÷ all mapped spans in the window. */
  trafficShare: number;
  trend: ImpactTrend | null;
  callers: ImpactCaller[];
  alerts: ImpactAlert[];
  /** 1 = most time spent among all functions with data; null without data. */
  hotRank: number | null;
  services: string[];
  /** How the data was found: on the working tree, or on the previous version of the code. */
  matchedOn: 'working tree' | 'previous version' | null;
  noData: { reason: NoDataReason; detail: string } | null;
  risk: RiskLevel;
  score: number;
  /** One short sentence for the reviewer. */
  reason: string;
  syntaxErrorLine?: number;
}

export interface ImpactReport {
  base: ChangeSet['base'];
  windowMs: number;
  /** False when no production data source was given. */
  hasData: boolean;
  /** Ranked: highest risk first; functions without data last. */
  items: ImpactItem[];
  notes: ChangeNote[];
  counts: Record<RiskLevel, number>;
}

export interface ImpactOptions extends QueryOptions {
  /** Functions ranked this high by time spent count as hot. */
  hotTop?: number;
  /** Rules the engine's workspace uses, so old paths resolve like current ones. */
  pathRules?: PathRule[];
  /** Alerts from elsewhere (an alerting backend), by `file#qualifiedName`. */
  externalAlerts?: ReadonlyMap<string, ImpactAlert[]>;
}

const DEFAULT_HOT_TOP = 10;
/** Error rates on fewer calls than this are noise. */
const MIN_ERROR_SAMPLES = 10;

/** True when `risk` is at least `level`. */
export function riskAtLeast(risk: RiskLevel, level: RiskLevel): boolean {
  return RISK_LEVELS.indexOf(risk) >= RISK_LEVELS.indexOf(level);
}

/** The impact of `changes` on production as `engine` sees it (undefined: no data source). */
export async function assessImpact(
  changes: ChangeSet,
  engine: Engine | undefined,
  opts: ImpactOptions,
): Promise<ImpactReport> {
  const items = engine
    ? await withData(changes, engine, opts)
    : changes.functions.map((c) =>
        noDataItem(c, { reason: 'no data source', detail: 'no production data source given' }),
      );
  items.sort(byRisk);
  const counts: Record<RiskLevel, number> = { none: 0, low: 0, medium: 0, high: 0 };
  for (const i of items) counts[i.risk]++;
  return {
    base: changes.base,
    windowMs: opts.windowMs,
    hasData: engine !== undefined,
    items,
    notes: changes.notes,
    counts,
  };
}

async function withData(
  changes: ChangeSet,
  engine: Engine,
  opts: ImpactOptions,
): Promise<ImpactItem[]> {
  const q: QueryOptions = {
    windowMs: opts.windowMs,
    ...(opts.environment ? { environment: opts.environment } : {}),
  };
  const hotspots = await rankHotspots(engine, q);
  const totalCount = hotspots.reduce((n, h) => n + h.stats.stats.count, 0);
  const localAlerts = new Map<string, CodeAlert[]>();
  for (const a of evaluateLocalAlerts(hotspots)) {
    const k = `${a.file}#${a.function}#${a.line}`;
    localAlerts.set(k, [...(localAlerts.get(k) ?? []), a]);
  }
  // Hotspots and their alerts are per working-tree function; found back through shared series.
  const hotOfSeries = new Map<string, { rank: number; alerts: CodeAlert[] }>();
  hotspots.forEach((h, i) => {
    const hot = {
      rank: i + 1,
      alerts:
        localAlerts.get(
          `${h.stats.file}#${h.stats.function.qualifiedName}#${h.stats.function.startLine}`,
        ) ?? [],
    };
    for (const id of h.stats.seriesIds) hotOfSeries.set(id, hot);
  });
  for (const file of new Set(
    changes.functions.filter((c) => c.change !== 'deleted').map((c) => c.file),
  ))
    await engine.functionsIn(file);
  const attributed = attribute(changes, engine, opts);
  const unmapped = engine.unmapped(q);
  const ctx: Context = { engine, opts, hotTop: opts.hotTop ?? DEFAULT_HOT_TOP, totalCount };

  const items: ImpactItem[] = [];
  for (const c of changes.functions) {
    const a = attributed.get(c);
    const stats = a ? engine.windowStats(a.series, q.windowMs, 1) : undefined;
    if (!a || !stats || stats.count === 0) {
      items.push(noDataItem(c, noDataWhy(c, unmapped, opts.windowMs)));
      continue;
    }
    const hots = [
      ...new Set(a.series.map((s) => hotOfSeries.get(s.id)).filter((h) => h !== undefined)),
    ];
    const rank = hots.length ? Math.min(...hots.map((h) => h.rank)) : null;
    const alerts: ImpactAlert[] = [
      ...hots.flatMap((h) => h.alerts).map(toImpactAlert),
      ...(opts.externalAlerts?.get(`${c.file}#${c.function.qualifiedName}`) ?? []),
    ];
    const found = {
      stats,
      seriesIds: a.series.map((s) => s.id),
      services: [...new Set(a.series.map((s) => s.identity.service))],
      matchedOn: a.on,
    };
    items.push(dataItem(c, found, rank, alerts, ctx));
  }
  return items;
}

/**
 * Gives each series to at most one changed function. Production usually runs the previous code,
 * so a series is first mapped onto the previous version of its file (where deleted and moved
 * functions still are, and lines have not shifted); a series that lands on an unchanged function
 * there is nobody's here. Only series with no previous-version home (new files, new names) are
 * mapped onto the working tree, as the editor maps them.
 */
function attribute(
  changes: ChangeSet,
  engine: Engine,
  opts: ImpactOptions,
): Map<ChangedFunction, { series: Series[]; on: 'working tree' | 'previous version' }> {
  const out = new Map<
    ChangedFunction,
    { series: Series[]; on: 'working tree' | 'previous version' }
  >();
  const byPrevious = new Map<string, ChangedFunction>();
  const byCurrent = new Map<string, ChangedFunction>();
  for (const c of changes.functions) {
    if (c.previous)
      byPrevious.set(
        `${c.previousFile ?? c.file}#${c.previous.qualifiedName}#${c.previous.startLine}`,
        c,
      );
    if (c.change !== 'deleted')
      byCurrent.set(`${c.file}#${c.function.qualifiedName}#${c.function.startLine}`, c);
  }
  const give = (c: ChangedFunction, s: Series, on: 'working tree' | 'previous version') => {
    const entry = out.get(c);
    if (entry) entry.series.push(s);
    else out.set(c, { series: [s], on });
  };
  const previousMapper = previousVersionMapper(changes, engine, opts);
  for (const s of engine.allSeries()) {
    if (opts.environment && s.identity.environment !== opts.environment) continue;
    const loc = locationOf(s);
    const path = previousMapper?.resolvePath(loc);
    const ranges = path?.file !== undefined ? changes.previousFunctions.get(path.file) : undefined;
    if (path?.file !== undefined && ranges) {
      const m = previousMapper!.map(loc, path, ranges);
      if (isUsable(m)) {
        const c = byPrevious.get(
          `${path.file}#${m.function.qualifiedName}#${m.function.startLine}`,
        );
        if (c) give(c, s, 'previous version');
        continue;
      }
    }
    const m = engine.mappingOf(s);
    if (!isUsable(m)) continue;
    const c = byCurrent.get(`${m.file}#${m.function.qualifiedName}#${m.function.startLine}`);
    if (c) give(c, s, 'working tree');
  }
  return out;
}

interface Context {
  engine: Engine;
  opts: ImpactOptions;
  hotTop: number;
  totalCount: number;
}

function toImpactAlert(a: CodeAlert): ImpactAlert {
  return {
    name: a.name,
    state: a.state,
    severity: a.severity,
    startsAt: null,
    summary: a.summary,
    source: a.source,
  };
}

/** A resolver over the workspace as it was before the change (old paths back, new ones gone). */
function previousVersionMapper(
  changes: ChangeSet,
  engine: Engine,
  opts: ImpactOptions,
): Pick<CodeResolver, 'resolvePath' | 'map'> | undefined {
  if (changes.previousFunctions.size === 0) return undefined;
  const files = new WorkspaceFiles(engine.files.roots);
  if (opts.pathRules) files.setRules(opts.pathRules);
  const movedTo = new Set(
    changes.functions
      .filter((c) => c.previousFile !== undefined && !changes.previousFunctions.has(c.file))
      .map((c) => c.file),
  );
  files.replaceAll([
    ...[...engine.files.list()].filter((f) => !movedTo.has(f)),
    ...changes.previousFunctions.keys(),
  ]);
  return engine.resolverOver(files);
}

function locationOf(s: Series): CodeLocation {
  return locationOfIdentity(s.identity);
}

/** Why a changed function has no numbers: new, spans that did not map, or none at all. */
function noDataWhy(
  c: ChangedFunction,
  unmapped: ReturnType<Engine['unmapped']>,
  windowMs: number,
): { reason: NoDataReason; detail: string } {
  if (c.change === 'added') return { reason: 'new', detail: 'new in this change' };
  const files = new Set([c.file, ...(c.previousFile !== undefined ? [c.previousFile] : [])]);
  const names = new Set([c.function.name, ...(c.previous ? [c.previous.name] : [])]);
  const base = (p: string) => p.slice(p.replace(/\\/g, '/').lastIndexOf('/') + 1);
  const hit = unmapped.find(({ series, mapping }) => {
    const id = series.identity;
    const named = id.functionName !== undefined && names.has(bareName(id.functionName));
    if (mapping.file !== undefined && files.has(mapping.file)) {
      const fn = c.previous ?? c.function;
      return named || (id.line !== undefined && id.line >= fn.startLine && id.line <= fn.endLine);
    }
    // The path did not resolve: the same file name, or no path but the same function name.
    if (id.filePath !== undefined)
      return named && [...files].some((f) => base(f) === base(id.filePath ?? ''));
    return named;
  });
  if (hit) {
    const what = hit.series.identity.functionName ?? hit.series.identity.spanName;
    return {
      reason: 'not mapped',
      detail: `${formatCount(hit.count)} span${hit.count === 1 ? '' : 's'} of ${what} did not map: ${hit.mapping.explanation}`,
    };
  }
  return { reason: 'never seen', detail: `no spans in the last ${formatDuration(windowMs)}` };
}

function baseItem(
  c: ChangedFunction,
): Omit<
  ImpactItem,
  | 'count'
  | 'errors'
  | 'errorRate'
  | 'ratePerMin'
  | 'p50Ms'
  | 'p95Ms'
  | 'meanMs'
  | 'trafficShare'
  | 'trend'
  | 'callers'
  | 'alerts'
  | 'hotRank'
  | 'services'
  | 'matchedOn'
  | 'noData'
  | 'risk'
  | 'score'
  | 'reason'
> {
  const b: ReturnType<typeof baseItem> = {
    file: c.file,
    function: c.function.qualifiedName,
    line: c.function.startLine,
    change: c.change,
    bodyChanged: c.bodyChanged,
  };
  if (c.previousFile !== undefined) b.previousFile = c.previousFile;
  if (c.previousName !== undefined) b.previousName = c.previousName;
  if (c.syntaxErrorLine !== undefined) b.syntaxErrorLine = c.syntaxErrorLine;
  return b;
}

function noDataItem(c: ChangedFunction, why: { reason: NoDataReason; detail: string }): ImpactItem {
  return {
    ...baseItem(c),
    count: 0,
    errors: 0,
    errorRate: 0,
    ratePerMin: 0,
    p50Ms: null,
    p95Ms: null,
    meanMs: null,
    trafficShare: 0,
    trend: null,
    callers: [],
    alerts: [],
    hotRank: null,
    services: [],
    matchedOn: null,
    noData: why,
    risk: 'none',
    score: 0,
    reason: why.reason === 'not mapped' ? `not mapped: ${why.detail}` : why.detail,
  };
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? Math.round(v * 1000) / 1000 : null;
}

function dataItem(
  c: ChangedFunction,
  found: {
    stats: WindowStats;
    seriesIds: string[];
    services: string[];
    matchedOn: 'working tree' | 'previous version';
  },
  hotRank: number | null,
  alerts: ImpactAlert[],
  ctx: Context,
): ImpactItem {
  const { engine, opts } = ctx;
  const s = found.stats;
  const series = engine.seriesOf(found.seriesIds);
  const prev = engine.previousWindowStats(series, opts.windowMs);
  const errorRate = s.count ? s.errors / s.count : 0;
  const prevErrorRate = prev.count ? prev.errors / prev.count : null;
  const trend: ImpactTrend = {
    previousCount: prev.count,
    previousP95Ms: finite(prev.p95Ms),
    previousErrorRate: prevErrorRate,
    countRatio: prev.count ? s.count / prev.count : null,
    p95Ratio: prev.count && s.count ? s.p95Ms / prev.p95Ms : null,
  };
  const callers = engine.callersOf(found.seriesIds).map((k) => ({
    endpoint: k.endpoint,
    service: k.service,
    traces: k.traces,
    total: k.total,
    share: k.total ? k.traces / k.total : 0,
  }));
  // The store counts the whole function; the previous-version path is outside the hotspot list.
  const trafficShare = ctx.totalCount ? Math.min(1, s.count / ctx.totalCount) : 0;
  const rate = formatRate(s.count, s.coveredMs);

  // Each factor: its points, the words that explain it, and where those words read best (the
  // path first, as in "on the path of 38% of POST /checkout; p95 410 ms; 2 alerts in 24 h").
  const factors: { points: number; text: string; order: number }[] = [];
  const top = callers[0];
  const traffic = {
    points: trafficShare >= 0.1 ? 3 : trafficShare >= 0.01 ? 2 : 1,
    text: `${rate}${trafficShare >= 0.01 ? ` (${pct(trafficShare)} of traffic)` : ''}`,
    order: 4,
  };
  factors.push(traffic);
  if (top)
    factors.push({
      points: top.share >= 0.5 ? 3 : top.share >= 0.1 ? 2 : 1,
      text: `on the path of ${pct(top.share)} of ${top.endpoint}`,
      order: 0,
    });
  const p95 = s.p95Ms;
  const p95Up = trend.p95Ratio !== null && trend.p95Ratio >= 1.5;
  if (p95 >= 300 || p95Up)
    factors.push({
      points: (p95 >= 1000 ? 2 : p95 >= 300 ? 1 : 0) + (p95Up ? 1 : 0),
      text: `p95 ${formatMs(p95)}${p95Up && trend.previousP95Ms !== null ? ` (was ${formatMs(trend.previousP95Ms)})` : ''}`,
      order: 1,
    });
  const errorsUp =
    prevErrorRate !== null &&
    s.count >= MIN_ERROR_SAMPLES &&
    errorRate >= 0.01 &&
    errorRate >= prevErrorRate * 2;
  if (s.count >= MIN_ERROR_SAMPLES && errorRate >= 0.01)
    factors.push({
      points: (errorRate >= 0.05 ? 2 : 1) + (errorsUp && !p95Up ? 1 : 0),
      text: `${formatErrorRate(s.errors, s.count)} errors${errorsUp && prevErrorRate !== null ? ` (was ${formatErrorRate(prevErrorRate * 1000, 1000)})` : ''}`,
      order: 2,
    });
  if (alerts.length) {
    const critical = alerts.some((a) => a.severity === 'critical');
    factors.push({
      points: critical ? 3 : 2,
      text: `${alerts.length} alert${alerts.length === 1 ? '' : 's'} in ${formatDuration(opts.windowMs)}`,
      order: 3,
    });
  }
  if (hotRank !== null && hotRank <= ctx.hotTop)
    factors.push({ points: hotRank <= 3 ? 2 : 1, text: `#${hotRank} by time spent`, order: 5 });

  let score = factors.reduce((n, f) => n + f.points, 0);
  if (c.change === 'renamed' && !c.bodyChanged) score = Math.floor(score / 2);
  let risk: RiskLevel = score >= 7 ? 'high' : score >= 4 ? 'medium' : score >= 1 ? 'low' : 'none';
  // The words: the strongest factors, but an endpoint path already says how much traffic.
  const said = (except: readonly object[], n: number) =>
    factors
      .filter((f) => !except.includes(f))
      .sort((a, b) => b.points - a.points || a.order - b.order)
      .slice(0, n)
      .sort((a, b) => a.order - b.order)
      .map((f) => f.text);
  let words = said(top ? [traffic] : [], 3);
  if (c.change === 'deleted') {
    risk = 'high';
    score = Math.max(score, 7);
    words = [`deleted while still serving ${rate}`, ...said([traffic], 2)];
    if (c.syntaxErrorLine !== undefined)
      words.unshift(`may only look deleted (syntax error at line ${c.syntaxErrorLine})`);
  } else if (c.change === 'renamed' && !c.bodyChanged) {
    words = [`${c.previousFile !== undefined ? 'moved' : 'renamed'} only`, ...words.slice(0, 2)];
  }
  return {
    ...baseItem(c),
    count: s.count,
    errors: s.errors,
    errorRate,
    ratePerMin: Math.round(((s.count * 60_000) / s.coveredMs) * 100) / 100,
    p50Ms: finite(s.p50Ms),
    p95Ms: finite(s.p95Ms),
    meanMs: finite(s.meanMs),
    trafficShare,
    trend,
    callers,
    alerts,
    hotRank,
    services: found.services,
    matchedOn: found.matchedOn,
    noData: null,
    risk,
    score,
    reason: words.join('; '),
  };
}

function pct(x: number): string {
  const p = x * 100;
  return `${p >= 10 || p === 0 ? Math.round(p) : Number(p.toFixed(1))}%`;
}

/** Highest risk first, then score, then time spent; functions without data last, in file order. */
function byRisk(a: ImpactItem, b: ImpactItem): number {
  return (
    RISK_LEVELS.indexOf(b.risk) - RISK_LEVELS.indexOf(a.risk) ||
    b.score - a.score ||
    b.count * (b.meanMs ?? 0) - a.count * (a.meanMs ?? 0) ||
    a.file.localeCompare(b.file) ||
    a.line - b.line
  );
}
