// The ingest side the soak measures, wired as `prodlens serve` wires it (src/cli/serve.ts): the
// workspace engine, OTLP trace bodies decoded on the ingest worker, the OTLP/HTTP receiver on a
// free loopback port, and the aggregates saved every 2 s while data arrives. All of it is in
// this one function so that when the wiring changes (serve's, or the extension's), the soak is
// changed here and measures the new path.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceMappingSettings } from '../src/cli/source-flags';
import { workspaceSpec } from '../src/cli/workspace-arg';
import { startWorkspaceEngine } from '../src/core/engine/create';
import type { Engine } from '../src/core/engine/engine';
import { engineSinks } from '../src/core/engine/sinks';
import { IngestWorker } from '../src/core/ingest-worker/ingest-worker';
import type { ReceiverStats } from '../src/core/receiver/http-receiver';
import { OtlpHttpReceiver } from '../src/core/receiver/http-receiver';

/** serve's save interval while new data arrives (SAVE_DIRTY_MS in src/cli/serve.ts). */
const SAVE_DIRTY_MS = 2_000;

export interface SoakIngest {
  /** The OTLP/HTTP base URL exporters send to. */
  url: string;
  engine: Engine;
  /** Names the path in the bench's output. */
  description: string;
  /** Spans the engine has stored (recorded in a series). */
  storedSpans(): number;
  receiverStats(): ReceiverStats;
  /** Warnings the wiring raised (the ingest worker failing over, a save failing). */
  problems: string[];
  /** Aggregates saved so far. */
  saves(): number;
  stop(): Promise<void>;
}

export async function startIngestAsServe(workspace: string): Promise<SoakIngest> {
  const problems: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'prodlens-soak-data-'));
  const { engine, scanned } = await startWorkspaceEngine(
    workspaceSpec([workspace]),
    workspaceMappingSettings([workspace]),
  );
  await scanned;
  const ingest = new IngestWorker(engine, (m) => problems.push(m));
  const receiver = new OtlpHttpReceiver({
    host: '127.0.0.1',
    port: 0,
    sinks: engineSinks(engine, ingest),
  });
  const { url } = await receiver.start();
  let dirty = false;
  let saving: Promise<unknown> | undefined;
  let saves = 0;
  const unsubscribe = engine.onDidIngest(() => (dirty = true));
  const timer = setInterval(() => {
    if (!dirty || saving) return;
    dirty = false;
    saving = engine
      .saveAggregates(dataDir)
      .then(() => saves++)
      .catch((e: unknown) => problems.push(`could not save aggregates: ${(e as Error).message}`))
      .finally(() => (saving = undefined));
  }, SAVE_DIRTY_MS);
  return {
    url,
    engine,
    description: `as \`prodlens serve\` runs it: OTLP/HTTP receiver, ${ingest.running ? 'trace decoding in the ingest worker' : 'trace decoding in-process (the ingest worker did not start)'}, aggregates saved every ${SAVE_DIRTY_MS / 1000} s`,
    storedSpans: () => engine.counters.spans,
    receiverStats: () => receiver.stats,
    problems,
    saves: () => saves,
    stop: async () => {
      clearInterval(timer);
      unsubscribe();
      await receiver.stop();
      await saving;
      await ingest.dispose();
      engine.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
