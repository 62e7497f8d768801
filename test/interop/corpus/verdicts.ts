// Scoring: what the CLI answered, judged against expected.json (right, wrong, missed per request,
// frame and log line), and the numbers (precision, recall) the tables and the test assert on.
import type { ReportRow } from '../../../src/cli/report-rows';
import type { LogRecordData, SpanRecord } from '../../../src/core/model';
import type { UnmappedReason } from '../../../src/core/insights/unmapped-reasons';
import type { AppSpec, ErrorSpec, Expected, Target } from './apps';
import { INTERNAL } from './evidence';
import type { Sent } from './run';

/** The part of a `locate --json` record the scoring reads. */
export interface LocateRecord {
  source: string;
  kind: string;
  raw: string;
  frameFunction: string | null;
  file: string | null;
  line: number | null;
  function: string | null;
  rule: string;
  confidence: string;
  inWorkspace: boolean;
}

export type Verdict = 'right' | 'wrong' | 'missed' | 'no-span';

export interface RequestResult {
  request: string;
  sent: number;
  /** Server spans recorded for it. */
  serverSpans: number;
  statuses: number[];
  expect: Target;
  verdict: Verdict;
  /** Where its server spans went (or, when they went nowhere, its internal spans). */
  got: string;
  via: 'server' | 'internal' | '';
  /** How the rows of `got` were mapped (rule and confidence), one per row. */
  mappedBy: { rule: string; confidence: string }[];
}

export interface FrameResult {
  request: string;
  message: string;
  /** A stack the app printed (`locate --stack`), or a span's exception event (`locate --span`). */
  origin: 'logged stack' | 'span event';
  found: boolean;
  frames: { expect: Target | null; got: string; raw: string; verdict: Verdict }[];
  helpers: { raw: string; got: string }[];
}

export interface LogResult {
  contains: string;
  line: string | null;
  expect: Target;
  got: string;
  verdict: Verdict;
}

export interface AppResult {
  app: AppSpec;
  /** The folder the app ran from and ProdLens was given. */
  workspace: string;
  requests: RequestResult[];
  /** Rows that count requests other than the ones whose handler they are. */
  impure: { row: string; expected: string[]; foreign: string[] }[];
  /** Handler rows counting more spans than their requests sent (server + internal spans both mapped). */
  overcount: { row: string; count: number; requests: number }[];
  /** Why the rest did not map, per the (re-labelled) report: its example names the request. */
  unmapped: UnmappedReason[];
  /** Rows mapped to functions no request expects (middleware, wrappers, helpers). */
  otherRows: { row: string; count: number; services: string[] }[];
  frames: FrameResult[];
  logs: LogResult[];
  /** Problems with the app or the pipeline itself (status codes, missing spans, live ≠ relabelled). */
  problems: string[];
  /** What the telemetry lacked, not ProdLens (no exception event on any span, …). */
  notes: string[];
  spans: SpanRecord[];
  logRecords: LogRecordData[];
  liveRows: ReportRow[];
  ms: number;
}

export const target = (t: { file: string | null; function: string | null } | undefined) =>
  t && t.file ? `${t.function ?? '(no function)'} @ ${t.file}` : '(nothing)';
/**
 * The same function: same file, and the name expected or that name under containers ProdLens puts
 * in front (`exports.GET /status` for an inline handler inside `module.exports = async function (fastify) {…}`).
 */
export const sameTarget = (a: Target, b: { file: string | null; function: string | null }) =>
  a.file === b.file &&
  !!b.function &&
  (b.function === a.function || b.function.endsWith(`.${a.function}`));

export const rowKey = (r: ReportRow) => `${r.function} @ ${r.file}`;

/** The requests whose handler a row is. */
const ownersOf = (expected: Expected, row: ReportRow) =>
  expected.requests.filter((q) => sameTarget(q.expect, row)).map((q) => q.request);

/**
 * Each request's verdict from the re-labelled report's rows: the rows its server spans went to, or,
 * when those went nowhere, the rows of its internal spans. Status codes off expected.json are problems.
 */
export function judgeRequests(
  expected: Expected,
  sent: readonly Sent[],
  spans: readonly SpanRecord[],
  traceOf: ReadonlyMap<string, string>,
  rows: readonly ReportRow[],
  problems: string[],
): RequestResult[] {
  return expected.requests.map((spec) => {
    const mine = sent.filter((s) => s.key === spec.request);
    const nServer = spans.filter(
      (s) => s.kind === 2 && traceOf.get(s.traceId) === spec.request,
    ).length;
    const statuses = [...new Set(mine.map((s) => s.status))];
    if (
      spec.status !== undefined
        ? statuses.some((s) => s !== spec.status)
        : statuses.some((s) => s >= 400)
    )
      problems.push(
        `${spec.request} answered ${statuses.join('/')}${spec.status !== undefined ? `, expected ${spec.status}` : ''}`,
      );
    const base: Omit<RequestResult, 'verdict' | 'got' | 'via' | 'mappedBy'> = {
      request: spec.request,
      sent: mine.length,
      serverSpans: nServer,
      statuses,
      expect: spec.expect,
    };
    if (nServer === 0)
      return { ...base, verdict: 'no-span', got: '(no server span)', via: '', mappedBy: [] };
    const how = (rs: readonly ReportRow[]) =>
      rs.map((r) => ({ rule: r.mappedBy, confidence: r.confidence }));
    const viaServer = rows.filter((r) => r.services.includes(spec.request));
    if (viaServer.length) {
      const ok = viaServer.every((r) => sameTarget(spec.expect, r));
      return {
        ...base,
        verdict: ok ? 'right' : 'wrong',
        got: viaServer.map((r) => `${target(r)} [${r.mappedBy}, ${r.confidence}]`).join(' + '),
        via: 'server',
        mappedBy: how(viaServer),
      };
    }
    const viaInternal = rows.filter((r) => r.services.includes(`${spec.request}${INTERNAL}`));
    const hit = viaInternal.find((r) => sameTarget(spec.expect, r));
    const wrongHandler = viaInternal.filter(
      (r) => !sameTarget(spec.expect, r) && ownersOf(expected, r).length > 0,
    );
    if (hit && wrongHandler.length === 0)
      return {
        ...base,
        verdict: 'right',
        got: `${target(hit)} [${hit.mappedBy}, ${hit.confidence}]`,
        via: 'internal',
        mappedBy: how([hit]),
      };
    if (wrongHandler.length)
      return {
        ...base,
        verdict: 'wrong',
        got: wrongHandler.map((r) => `${target(r)} [${r.mappedBy}, ${r.confidence}]`).join(' + '),
        via: 'internal',
        mappedBy: how(wrongHandler),
      };
    return { ...base, verdict: 'missed', got: '(unmapped)', via: '', mappedBy: [] };
  });
}

/** The rows seen from the other side: handler rows counting foreign requests or too many spans, and rows no request expects. */
export function judgeRows(
  expected: Expected,
  sent: readonly Sent[],
  rows: readonly ReportRow[],
): Pick<AppResult, 'impure' | 'overcount' | 'otherRows'> {
  const impure: AppResult['impure'] = [];
  const overcount: AppResult['overcount'] = [];
  const otherRows: AppResult['otherRows'] = [];
  for (const r of rows) {
    const owners = ownersOf(expected, r);
    const services = [
      ...new Set(r.services.map((s) => (s.endsWith(INTERNAL) ? s.slice(0, -INTERNAL.length) : s))),
    ];
    if (!owners.length) {
      otherRows.push({ row: rowKey(r), count: r.count, services });
      continue;
    }
    const foreign = services.filter((s) => !owners.includes(s));
    if (foreign.length) impure.push({ row: rowKey(r), expected: owners, foreign });
    const nReq = sent.filter((s) => owners.includes(s.key)).length;
    if (r.count > nReq) overcount.push({ row: rowKey(r), count: r.count, requests: nReq });
  }
  return { impure, overcount, otherRows };
}

/** Frames of the helpers tsc emits for async functions below ES2017: they are no one's handler. */
const HELPER_FRAME = /^(__awaiter|fulfilled|rejected|step|Generator\.next|new Promise)$/;

/** One stack's frames in the app's own code against the expected ones, top first; `records` undefined: no such stack. */
export function judgeFrames(
  app: AppSpec,
  workspace: string,
  spec: ErrorSpec,
  origin: FrameResult['origin'],
  records: LocateRecord[] | undefined,
): FrameResult {
  const res: FrameResult = {
    request: spec.request,
    message: spec.message,
    origin,
    found: records !== undefined,
    frames: [],
    helpers: [],
  };
  if (!records) return res;
  const user = records.filter(
    (r) => r.kind === 'frame' && r.raw.includes(workspace) && !r.raw.includes('node_modules'),
  );
  const own = user.filter((r) => !HELPER_FRAME.test(r.frameFunction ?? ''));
  for (const r of user)
    if (!own.includes(r)) res.helpers.push({ raw: r.raw.trim(), got: target(r) });
  const wanted = spec.framesIn?.[app.name] ?? spec.frames;
  const n = Math.max(own.length, wanted.length);
  for (let k = 0; k < n; k++) {
    const exp = wanted[k] ?? null;
    const r = own[k];
    const verdict: Verdict =
      exp && r && sameTarget(exp, r) ? 'right' : r?.function ? 'wrong' : 'missed';
    res.frames.push({
      expect: exp,
      got: r ? target(r) : '(no frame)',
      raw: r?.raw.trim() ?? '',
      verdict,
    });
  }
  return res;
}

/** Each expected log line (line i+1 of `logFile`, or null when the app never printed it) against what `locate --log-file` said. */
export function judgeLogs(
  expected: Expected,
  logLines: readonly (string | null)[],
  records: readonly LocateRecord[],
  logFile: string,
): LogResult[] {
  return expected.logs.map((spec, i) => {
    const rec = records.find(
      (r) => r.kind === 'log-statement' && r.source === `${logFile}:${i + 1}`,
    );
    const line = logLines[i] ?? null;
    const verdict: Verdict =
      line !== null && rec && sameTarget(spec.expect, rec)
        ? 'right'
        : rec?.function
          ? 'wrong'
          : 'missed';
    return {
      contains: spec.contains,
      line,
      expect: spec.expect,
      got: line === null ? '(line not printed)' : target(rec),
      verdict,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Numbers.

/** Right, wrong and missed of one kind of mapping; precision = right / (right + wrong), recall = right / total. */
export interface Score {
  total: number;
  right: number;
  wrong: number;
  missed: number;
  precision: number;
  recall: number;
}

function score(verdicts: Verdict[]): Score {
  const n = (v: Verdict) => verdicts.filter((x) => x === v).length;
  const right = n('right');
  const wrong = n('wrong');
  const total = verdicts.length - n('no-span');
  return {
    total,
    right,
    wrong,
    missed: n('missed'),
    precision: right + wrong ? right / (right + wrong) : 1,
    recall: total ? right / total : 1,
  };
}

export interface Numbers {
  /** Requests (route requests as expected.json lists them); `total` counts those whose server span arrived. */
  routes: Score & { requests: number };
  /** Frames of the stacks the app printed, and of the spans' exception events. */
  frames: Score;
  eventFrames: Score;
  logs: Score;
}

// A stack that never showed up counts as one missed frame, so a lost stack lowers recall.
const frameScore = (fs: FrameResult[]) =>
  score(fs.flatMap((f) => (f.found ? f.frames.map((x) => x.verdict) : ['missed' as const])));

export function numbers(r: AppResult): Numbers {
  return {
    routes: { ...score(r.requests.map((q) => q.verdict)), requests: r.requests.length },
    frames: frameScore(r.frames.filter((f) => f.origin === 'logged stack')),
    eventFrames: frameScore(r.frames.filter((f) => f.origin === 'span event')),
    logs: score(r.logs.map((l) => l.verdict)),
  };
}
