// The engine's side of the ingest worker: request bodies go to the worker (their bytes moved, not
// copied twice), the triaged batches come back and are recorded here. Decoding — the bulk of the
// cost, and nearly all of its garbage — happens on the worker's thread, so a burst of spans no
// longer stalls the extension host (bench lane (g)). If the worker cannot start or dies, ingest
// continues in-process and `onProblem` says so once.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Engine } from '../engine/engine';
import { OtlpDecodeError, type OtlpFormat } from '../ingest/otlp-decode';
import { decodeTracesInto, withMessage, type ExportOutcome } from '../receiver/export-outcome';
import type { TriageBatch } from '../engine/span-triage';
import type { DecodeReply, DecodeRequest } from './messages';

/** Spans recorded at a stretch (~2 ms of work). */
const RECORD_SLICE = 5_000;

/**
 * A worker running the entry beside the bundle (dist/ingest-worker.js); from the TypeScript
 * sources (tests run under tsx) the entry is loaded through tsx's require hook, which a worker
 * does not inherit from its parent.
 */
function startWorker(): Worker {
  if (!__filename.endsWith('.ts')) return new Worker(join(__dirname, 'ingest-worker.js'));
  const entry = JSON.stringify(join(__dirname, 'worker-main.ts'));
  return new Worker(`require('tsx/cjs'); require(${entry});`, { eval: true });
}

export class IngestWorker {
  private worker: Worker | undefined;
  private readonly pending = new Map<
    number,
    { resolve: (o: ExportOutcome) => void; reject: (e: Error) => void }
  >();
  private nextId = 1;
  private stopped = false;

  constructor(
    private readonly engine: Engine,
    private readonly onProblem: (message: string) => void = () => undefined,
  ) {
    try {
      const w = startWorker();
      w.unref();
      w.on('message', (r: DecodeReply) => this.settle(r));
      w.on('error', (e) => this.lost(`the ingest worker failed: ${e.message}`));
      w.on('exit', (code) => {
        if (!this.stopped) this.lost(`the ingest worker exited (code ${code})`);
      });
      this.worker = w;
    } catch (e) {
      this.lost(`the ingest worker did not start: ${(e as Error).message}`);
    }
  }

  /** Whether decoding runs off this thread right now. */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Decodes and records one OTLP traces body; rejects with OtlpDecodeError when it is malformed. */
  ingest(body: Uint8Array, format: OtlpFormat): Promise<ExportOutcome> {
    const w = this.worker;
    if (!w) return Promise.resolve(this.ingestHere(body, format));
    // Moved, not copied, when the body owns its memory (large bodies do); small bodies may share
    // Node's pooled memory and are copied first.
    const memory =
      body.buffer instanceof ArrayBuffer &&
      body.byteOffset === 0 &&
      body.byteLength === body.buffer.byteLength
        ? body.buffer
        : Uint8Array.from(body).buffer;
    const id = this.nextId++;
    const request: DecodeRequest = { id, format, body: new Uint8Array(memory) };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage(request, [memory]);
    });
  }

  private ingestHere(body: Uint8Array, format: OtlpFormat): ExportOutcome {
    return decodeTracesInto({ traces: (spans) => this.engine.ingestSpans(spans) }, format, body);
  }

  private settle(r: DecodeReply): void {
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    if (!r.ok) {
      p.reject(r.invalid ? new OtlpDecodeError(r.message) : new Error(r.message));
      return;
    }
    const outcome = withMessage(r.accepted, r.rejected, r.errorMessage);
    this.record(r.batch).then(() => p.resolve(outcome), p.reject);
  }

  /**
   * Records a batch; a large one (a max-size request holds ~45k spans) in slices with a turn of
   * the event loop between them, so the editor's thread is never held for long.
   */
  private async record(batch: TriageBatch): Promise<void> {
    for (let from = 0; from < batch.count; from += RECORD_SLICE) {
      if (from > 0) await new Promise((r) => setImmediate(r));
      this.engine.applyTriage(batch, from, Math.min(batch.count, from + RECORD_SLICE));
    }
  }

  private lost(message: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.worker = undefined;
    this.rejectPending(message);
    this.onProblem(`${message}; spans are decoded on the main thread from now on`);
  }

  async dispose(): Promise<void> {
    this.stopped = true;
    const w = this.worker;
    this.worker = undefined;
    this.rejectPending('the ingest worker was stopped');
    await w?.terminate();
  }

  private rejectPending(message: string): void {
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
  }
}
