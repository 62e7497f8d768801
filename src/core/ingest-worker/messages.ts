// What the extension host (or serve) and the ingest worker say to each other.
import type { OtlpFormat } from '../ingest/otlp-decode';
import type { TriageBatch } from '../engine/span-triage';

/** An OTLP traces request body to decode and triage; the body's buffer is transferred. */
export interface DecodeRequest {
  id: number;
  format: OtlpFormat;
  body: Uint8Array;
}

export type DecodeReply =
  | {
      id: number;
      ok: true;
      accepted: number;
      rejected: number;
      errorMessage?: string;
      batch: TriageBatch;
    }
  /** `invalid`: the payload is malformed (answered 400); otherwise the worker failed (500). */
  | { id: number; ok: false; invalid: boolean; message: string };
