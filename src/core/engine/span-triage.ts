// The first half of ingesting spans, which needs no store: where each span's code is (its series
// key and identity), and which spans are worth holding whole (a sample for drill-down, the traces
// for the topology, the failed ones for error groups). It runs in the ingest worker, next to the
// decoder, so the extension host receives typed arrays and a few sampled spans instead of every
// span (copying decoded spans between threads costs more than decoding them: bench lane (g)); the
// engine's `applyTriage` records the result. In-process ingest runs the same two halves.
import { randomUUID } from 'node:crypto';
import type { CodeLocation, SpanRecord } from '../model';
import { traceSampleValue } from '../ingest/convert-util';
import { LOCATING_ATTRIBUTES } from '../resolver/locating-attributes';
import type { SeriesIdentity } from '../store/series';
import { RateMeter } from './rate-meter';
import { SeriesKeys } from './series-keys';

/** A drill-down sample per series at most every second (errors every 100 ms). */
const SAMPLE_INTERVAL_MS = 1_000;
const ERROR_SAMPLE_INTERVAL_MS = 100;
/** Spans per second the trace window keeps under load (a share of traces chosen by trace id). */
const TRACE_SPANS_PER_SEC = 500;
/** A span's own stack trace attribute (stacktrace/span-exceptions.ts reads it for error groups). */
const STACK_ATTRIBUTE = 'code.stacktrace';

/** The span attributes the triage reads: where the code is, and whether it carries a stack. */
export const TRIAGE_ATTRIBUTES: ReadonlySet<string> = new Set([
  ...LOCATING_ATTRIBUTES,
  STACK_ATTRIBUTE,
]);

/**
 * Group ids a triage remembers before it starts a new epoch (and announces groups afresh): twice
 * the series the store keeps, so high-cardinality span names cannot make the engine's group
 * tables (triage-groups.ts) outgrow the store.
 */
const GROUP_ID_LIMIT = 10_000;

/**
 * One series: its key, identity and location (a route shape may be deferred). Announced in the
 * first batch of an epoch that meets it; later batches refer to it by `id` (triage-groups.ts).
 */
export interface TriageGroup {
  id: number;
  key: string;
  identity: SeriesIdentity;
  loc: CodeLocation;
  /** The span kind, for recomputing the key when a deferred route shape is filled in. */
  kind: number;
}

/** A span kept whole, with what it is kept for. */
export interface TriageSample {
  span: SpanRecord;
  /** Index of the span in the batch (its record decides whether the sample is kept). */
  index: number;
  ring: boolean;
  topology: boolean;
  error: boolean;
}

/** A batch of spans, triaged: per span its group's id and outcome; the groups met first. */
export interface TriageBatch {
  /** The triage that numbered the groups, and its epoch (a new epoch forgets earlier ids). */
  source: string;
  epoch: number;
  count: number;
  group: Int32Array;
  endMs: Float64Array;
  durationMs: Float64Array;
  error: Uint8Array;
  /** Groups this batch refers to that earlier batches of the epoch did not announce. */
  newGroups: TriageGroup[];
  samples: TriageSample[];
}

export type SpanLocator = (span: SpanRecord) => { loc: CodeLocation; name: string };

function identityOf(span: SpanRecord, loc: CodeLocation, spanName: string): SeriesIdentity {
  const r = span.resource;
  const identity: SeriesIdentity = {
    service: r.service,
    environment: r.environment,
    version: r.version,
    codeSource: loc.source,
    spanName,
    kind: span.kind,
  };
  if (loc.filePath !== undefined) identity.filePath = loc.filePath;
  if (loc.functionName !== undefined) identity.functionName = loc.functionName;
  if (loc.line !== undefined) identity.line = loc.line;
  if (loc.route !== undefined) identity.route = loc.route;
  if (loc.handler !== undefined) identity.handler = loc.handler;
  if (loc.layer !== undefined) identity.layer = loc.layer;
  if (r.revision !== undefined) identity.revision = r.revision;
  return identity;
}

export class SpanTriage {
  private readonly keys = new SeriesKeys();
  private readonly rate = new RateMeter();
  /**
   * Per series key: the id its group was announced under in this epoch, and when a drill-down
   * sample (and an error sample) was last kept — one lookup per span for both.
   */
  private readonly ids = new Map<string, { id: number; ok: number; error: number }>();
  private readonly source = randomUUID();
  /** Spans kept for the trace window in the current second (the budget's use). */
  private keptThisSecond = 0;
  private budgetSecond = -1;
  private epoch = 0;

  constructor(private readonly locate: SpanLocator) {}

  /**
   * `traceLow`, when given, is each span's trace id's last two bytes (the ingest worker's lean
   * decode leaves trace ids out); otherwise they are read from `traceId`.
   */
  run(spans: readonly SpanRecord[], now: number, traceLow?: ArrayLike<number>): TriageBatch {
    const n = spans.length;
    if (this.ids.size > GROUP_ID_LIMIT) {
      this.ids.clear();
      this.epoch++;
    }
    const batch: TriageBatch = {
      source: this.source,
      epoch: this.epoch,
      count: n,
      group: new Int32Array(n),
      endMs: new Float64Array(n),
      durationMs: new Float64Array(n),
      error: new Uint8Array(n),
      newGroups: [],
      samples: [],
    };
    // The trace window keeps every trace at modest rates; under load a share of traces chosen by
    // trace id (so a kept trace keeps all its spans and shares stay unbiased), sized to about
    // TRACE_SPANS_PER_SEC: holding more would only churn memory.
    this.rate.add(n, now);
    const perSec = this.rate.perSecondRecent(now);
    const byRate =
      perSec <= TRACE_SPANS_PER_SEC
        ? 0x10000
        : Math.floor((TRACE_SPANS_PER_SEC / perSec) * 0x10000);
    // In a burst the rate's estimate lags: each batch would keep a share of a budget meant for the
    // whole second. What is left of this second's budget caps the share (it binds only then).
    const second = Math.floor(now / 1000);
    if (second !== this.budgetSecond) {
      this.budgetSecond = second;
      this.keptThisSecond = 0;
    }
    const left = Math.max(0, TRACE_SPANS_PER_SEC - this.keptThisSecond);
    const byBudget = left >= n ? 0x10000 : Math.floor((left / n) * 0x10000);
    const keepBelow = Math.min(byRate, byBudget);
    for (let i = 0; i < n; i++) {
      const span = spans[i]!;
      const { loc, name } = this.locate(span);
      const key = this.keys.keyOf(span.resource, loc, span.kind, name);
      let state = this.ids.get(key);
      if (state === undefined) {
        state = { id: this.ids.size, ok: -Infinity, error: -Infinity };
        this.ids.set(key, state);
        const identity = identityOf(span, loc, name);
        batch.newGroups.push({ id: state.id, key, identity, loc, kind: span.kind });
      }
      const isError = span.statusCode === 2;
      batch.group[i] = state.id;
      batch.endMs[i] = span.startMs + span.durationMs;
      batch.durationMs[i] = span.durationMs;
      batch.error[i] = isError ? 1 : 0;
      const topology =
        keepBelow === 0x10000 ||
        (traceLow ? traceLow[i]! : traceSampleValue(span.traceId)) < keepBelow;
      // Drill-down keeps a sample per series (at most 1 span/s, errors 10/s), so a burst of
      // spans is not held in memory long enough to be promoted and slow the collector down.
      let ring = false;
      if (
        now - state.ok >= SAMPLE_INTERVAL_MS ||
        (isError && now - state.error >= ERROR_SAMPLE_INTERVAL_MS)
      ) {
        ring = true;
        if (isError) state.error = now;
        else state.ok = now;
      }
      if (topology) this.keptThisSecond++;
      // Error groups are built from stack traces (exception events, a `code.stacktrace`): a
      // failed span without one adds nothing to them (its failure is counted in its series).
      const error = span.events.length > 0 || typeof span.attributes[STACK_ATTRIBUTE] === 'string';
      if (ring || topology || error) batch.samples.push({ span, index: i, ring, topology, error });
    }
    return batch;
  }
}
