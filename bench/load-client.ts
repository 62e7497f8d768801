// The bench's load generator, run in a child process (so its own work never shows up as the
// receiver's event-loop lag or throughput): it posts prepared OTLP/protobuf bodies over a few
// keep-alive connections, either as fast as the server answers or paced to a span rate, and
// prints one JSON line with what was sent and how it went.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

export interface LoadPlan {
  url: string;
  /** A file of bodies, each prefixed by its length (uint32 BE). */
  bodiesFile: string;
  spansPerBody: number;
  connections: number;
  /** Fast mode: this many requests as fast as answered. */
  requests?: number;
  /** Paced mode: spans per second for `seconds`, plus `bigFile`'s body every `bigEveryMs`. */
  spansPerSec?: number;
  seconds?: number;
  bigFile?: string;
  bigSpans?: number;
  bigEveryMs?: number;
}

export interface LoadResult {
  sentSpans: number;
  okRequests: number;
  failedRequests: number;
  statuses: Record<string, number>;
  ms: number;
}

export function writeBodies(bodies: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  for (const b of bodies) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, Buffer.from(b));
  }
  return Buffer.concat(parts);
}

function readBodies(file: string): Buffer[] {
  const all = readFileSync(file);
  const out: Buffer[] = [];
  for (let at = 0; at < all.length;) {
    const len = all.readUInt32BE(at);
    out.push(all.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}

export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const bodies = readBodies(plan.bodiesFile);
  const big = plan.bigFile ? readBodies(plan.bigFile)[0] : undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: plan.connections });
  const url = new URL('/v1/traces', plan.url);
  const result: LoadResult = {
    sentSpans: 0,
    okRequests: 0,
    failedRequests: 0,
    statuses: {},
    ms: 0,
  };
  const post = (body: Buffer, spans: number) =>
    new Promise<void>((done) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            const s = String(res.statusCode);
            result.statuses[s] = (result.statuses[s] ?? 0) + 1;
            if (res.statusCode === 200) {
              result.okRequests++;
              result.sentSpans += spans;
            } else result.failedRequests++;
            done();
          });
        },
      );
      req.on('error', () => {
        result.failedRequests++;
        done();
      });
      req.end(body);
    });
  const t0 = performance.now();
  if (plan.requests !== undefined) {
    let next = 0;
    const lane = async () => {
      while (next < plan.requests!) {
        const i = next++;
        await post(bodies[i % bodies.length]!, plan.spansPerBody);
      }
    };
    await Promise.all(Array.from({ length: plan.connections }, lane));
  } else {
    const seconds = plan.seconds ?? 5;
    const intervalMs = (plan.spansPerBody / (plan.spansPerSec ?? 10_000)) * 1000;
    const pending: Promise<void>[] = [];
    let sent = 0;
    let bigAt = plan.bigEveryMs ?? Infinity;
    while (performance.now() - t0 < seconds * 1000) {
      const due = Math.floor((performance.now() - t0) / intervalMs);
      for (; sent < due; sent++)
        pending.push(post(bodies[sent % bodies.length]!, plan.spansPerBody));
      if (big && performance.now() - t0 >= bigAt) {
        pending.push(post(big, plan.bigSpans ?? 0));
        bigAt += plan.bigEveryMs!;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.all(pending);
  }
  result.ms = performance.now() - t0;
  agent.destroy();
  return result;
}
