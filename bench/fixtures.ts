// Benchmark inputs: a generated workspace (files of N functions each) and OTLP payloads
// serialized by the real OTel JS SDK serializers, as an instrumented service would send them.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

/** A TypeScript file with `fns` functions of `linesPer` lines each; returns text and start lines. */
export function generatedFile(fns: number, linesPer: number, prefix: string): { text: string; starts: number[] } {
  const lines: string[] = [];
  const starts: number[] = [];
  for (let i = 0; i < fns; i++) {
    starts.push(lines.length + 1);
    lines.push(`export function ${prefix}${i}(input: number): number {`);
    for (let j = 0; j < linesPer - 2; j++) lines.push(`  input = (input * ${j + 3}) % 1000003; // step ${j}`);
    lines.push('}');
  }
  return { text: `${lines.join('\n')}\n`, starts };
}

export interface BenchWorkspace {
  root: string;
  files: { rel: string; prefix: string; starts: number[]; text: string }[];
}

/** `fileCount` files of 500 functions × 10 lines (5,000 lines each). */
export function generatedWorkspace(fileCount: number): BenchWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'prodlens-bench-'));
  mkdirSync(join(root, 'src'));
  const files = [];
  for (let f = 0; f < fileCount; f++) {
    const prefix = `handler${f}_`;
    const { text, starts } = generatedFile(500, 10, prefix);
    const rel = `src/module${f}.ts`;
    writeFileSync(join(root, rel), text);
    files.push({ rel, prefix, starts, text });
  }
  return { root, files };
}

/**
 * `requests` payloads of `perRequest` spans each, spread round-robin over the workspace's
 * functions, with the attributes an instrumented HTTP service typically sets (~8 per span).
 */
export function sdkPayloads(ws: BenchWorkspace, requests: number, perRequest: number): { protobuf: Uint8Array[]; json: Uint8Array[]; spans: number } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench-shop', 'service.version': '1.4.2', 'deployment.environment.name': 'bench' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('bench');
  const fns = ws.files.flatMap((f) => f.starts.map((s, i) => ({ file: f.rel, name: `${f.prefix}${i}`, line: s + 2 })));
  const protobuf: Uint8Array[] = [];
  const json: Uint8Array[] = [];
  let k = 0;
  for (let r = 0; r < requests; r++) {
    exporter.reset();
    for (let i = 0; i < perRequest; i++, k++) {
      const fn = fns[k % fns.length]!;
      const span = tracer.startSpan(fn.name, {
        attributes: {
          'code.file.path': `/srv/app/${fn.file}`,
          'code.function.name': fn.name,
          'code.line.number': fn.line,
          'http.request.method': 'GET',
          'http.route': '/orders/:id',
          'http.response.status_code': 200,
          'server.address': 'shop.internal',
          'user_agent.original': 'bench/1.0',
        },
      });
      if (k % 97 === 0) span.setStatus({ code: 2, message: 'boom' });
      span.end();
    }
    const spans: ReadableSpan[] = exporter.getFinishedSpans();
    protobuf.push(ProtobufTraceSerializer.serializeRequest(spans)!);
    json.push(JsonTraceSerializer.serializeRequest(spans)!);
  }
  return { protobuf, json, spans: requests * perRequest };
}
