// The first half of ingesting spans, which needs no store: where each span's code is (its series
// key and identity), and which spans are worth holding whole (a sample for drill-down, the traces
// for the topology, the failed ones for error groups). It runs in the ingest worker, next to the
// decoder, so the extension host receives typed arrays and a few sampled spans instead of every
// span (copying decoded spans between threads costs more than decoding them: bench lane (g)); the
// engine's `applyTriage` records the result. In-process ingest runs the same two halves.
import { randomUUID } from 'node:crypto';
import type { CodeLocation, SpanRecord } from '../model';
import { traceSampleValue } from '../ingest/convert-util';
import type { ScanKeys, ScannedTraces } from '../ingest/trace-wire-scan';
import {
  LOCATING_ATTRIBUTES,
  REQUEST_PATH_ATTRIBUTES,
  ROUTE_ATTRIBUTE,
} from '../resolver/locating-attributes';
import type { SeriesIdentity } from '../store/series';
import { RateMeter } from './rate-meter';
import { SeriesKeys } from './series-keys';

/** A drill-down sample per series at most every second (errors every 100 ms). */
const SAMPLE_INTERVAL_MS = 1_000;
const ERROR_SAMPLE_INTERVAL_MS = 100;
/** Spans per second the trace window keeps under load (a share of traces chosen by trace id). */
const TRACE_SPANS_PER_SEC = 500;
/** A span's own stack trace attribute (stacktrace/span-exceptions.ts reads it for error groups). */
export const STACK_ATTRIBUTE = 'code.stacktrace';

/** What the ingest worker's scan reads of a span (trace-wire-scan.ts). */
export const SCAN_KEYS: ScanKeys = {
  locating: LOCATING_ATTRIBUTES,
  stack: STACK_ATTRIBUTE,
  route: ROUTE_ATTRIBUTE,
  requestPaths: REQUEST_PATH_ATTRIBUTES,
};

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

/** A series' state in the triage: its group's id, and when samples were last kept. */
interface GroupState {
  id: number;
  ok: number;
  error: number;
}

/** What a span is held whole for (bits), when it is held at all. */
const HOLD_RING = 1;
const HOLD_TOPOLOGY = 2;
const HOLD_ERROR = 4;

export class SpanTriage {
  private readonly keys = new SeriesKeys();
  private readonly rate = new RateMeter();
  /**
   * Per series key: the id its group was announced under in this epoch, and when a drill-down
   * sample (and an error sample) was last kept — one lookup per span for both.
   */
  private readonly ids = new Map<string, GroupState>();
  /**
   * Per fingerprint of a scanned span (trace-wire-scan.ts): its series' state, valid for one
   * fingerprint generation and one epoch of ids.
   */
  private byFingerprint: (GroupState | undefined)[] = [];
  private fingerprintGeneration = -1;
  private fingerprintEpoch = -1;
  private readonly source = randomUUID();
  /** Spans kept for the trace window in the current second (the budget's use). */
  private keptThisSecond = 0;
  private budgetSecond = -1;
  private epoch = 0;
  /** The trace-id share below which a span's trace is kept (0x10000: all), for the current run. */
  private keepBelow = 0x10000;

  constructor(private readonly locate: SpanLocator) {}

  /** Triages decoded spans (in-process ingest, JSON bodies). */
  run(spans: readonly SpanRecord[], now: number): TriageBatch {
    const n = spans.length;
    const batch = this.begin(n, now, new Float64Array(n), new Float64Array(n), new Uint8Array(n));
    for (let i = 0; i < n; i++) {
      const span = spans[i]!;
      const state = this.stateOf(span, batch);
      const isError = span.statusCode === 2;
      batch.group[i] = state.id;
      batch.endMs[i] = span.startMs + span.durationMs;
      batch.durationMs[i] = span.durationMs;
      batch.error[i] = isError ? 1 : 0;
      // Error groups are built from stack traces (exception events, a `code.stacktrace`): a
      // failed span without one adds nothing to them (its failure is counted in its series).
      const stack = span.events.length > 0 || typeof span.attributes[STACK_ATTRIBUTE] === 'string';
      const low = traceSampleValue(span.traceId);
      const hold = this.holdFor(state, isError, stack, low, now);
      if (hold !== 0) batch.samples.push(sample(span, i, hold));
    }
    return batch;
  }

  /**
   * Triages a scanned request: a span whose locating bytes were seen before takes its series from
   * them; the others are decoded (only what locates them) the first time, and the spans held
   * whole are decoded whole.
   */
  runScanned(scan: ScannedTraces, now: number): TriageBatch {
    const n = scan.count;
    const batch = this.begin(n, now, scan.endMs, scan.durationMs, scan.error);
    if (scan.generation !== this.fingerprintGeneration || this.epoch !== this.fingerprintEpoch) {
      this.byFingerprint = [];
      this.fingerprintGeneration = scan.generation;
      this.fingerprintEpoch = this.epoch;
    }
    const byFingerprint = this.byFingerprint;
    for (let i = 0; i < n; i++) {
      const fingerprint = scan.fingerprint[i]!;
      let state = fingerprint >= 0 ? byFingerprint[fingerprint] : undefined;
      if (state === undefined) {
        state = this.stateOf(scan.lean(i), batch);
        if (fingerprint >= 0) byFingerprint[fingerprint] = state;
      }
      batch.group[i] = state.id;
      const hold = this.holdFor(
        state,
        scan.error[i] === 1,
        scan.stack[i] === 1,
        scan.traceLow[i]!,
        now,
      );
      if (hold !== 0) batch.samples.push(sample(scan.whole(i), i, hold));
    }
    return batch;
  }

  /** A new batch over `n` spans (the per-span arrays given), and this run's trace share. */
  private begin(
    n: number,
    now: number,
    endMs: Float64Array,
    durationMs: Float64Array,
    error: Uint8Array,
  ): TriageBatch {
    if (this.ids.size > GROUP_ID_LIMIT) {
      this.ids.clear();
      this.epoch++;
    }
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
    this.keepBelow = Math.min(byRate, byBudget);
    return {
      source: this.source,
      epoch: this.epoch,
      count: n,
      group: new Int32Array(n),
      endMs,
      durationMs,
      error,
      newGroups: [],
      samples: [],
    };
  }

  /** The span's series state, its group announced in `batch` when the epoch has not met it. */
  private stateOf(span: SpanRecord, batch: TriageBatch): GroupState {
    const { loc, name } = this.locate(span);
    const key = this.keys.keyOf(span.resource, loc, span.kind, name);
    let state = this.ids.get(key);
    if (state === undefined) {
      state = { id: this.ids.size, ok: -Infinity, error: -Infinity };
      this.ids.set(key, state);
      const identity = identityOf(span, loc, name);
      batch.newGroups.push({ id: state.id, key, identity, loc, kind: span.kind });
    }
    return state;
  }

  /** What a span is held whole for (HOLD_* bits, 0 for nothing); `low` its trace's share value. */
  private holdFor(
    state: GroupState,
    isError: boolean,
    stack: boolean,
    low: number,
    now: number,
  ): number {
    let hold = 0;
    if (this.keepBelow === 0x10000 || low < this.keepBelow) {
      hold = HOLD_TOPOLOGY;
      this.keptThisSecond++;
    }
    // Drill-down keeps a sample per series (at most 1 span/s, errors 10/s), so a burst of
    // spans is not held in memory long enough to be promoted and slow the collector down.
    if (
      now - state.ok >= SAMPLE_INTERVAL_MS ||
      (isError && now - state.error >= ERROR_SAMPLE_INTERVAL_MS)
    ) {
      hold |= HOLD_RING;
      if (isError) state.error = now;
      else state.ok = now;
    }
    if (stack) hold |= HOLD_ERROR;
    return hold;
  }
}

function sample(span: SpanRecord, index: number, hold: number): TriageSample {
  return {
    span,
    index,
    ring: (hold & HOLD_RING) !== 0,
    topology: (hold & HOLD_TOPOLOGY) !== 0,
    error: (hold & HOLD_ERROR) !== 0,
  };
}
