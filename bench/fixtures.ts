// Benchmark inputs: a generated workspace (files of N functions each) and OTLP payloads
// serialized by the real OTel JS SDK serializers, as an instrumented service would send them.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

/** A TypeScript file with `fns` functions of `linesPer` lines each; returns text and start lines. */
export function generatedFile(
  fns: number,
  linesPer: number,
  prefix: string,
): { text: string; starts: number[] } {
  const lines: string[] = [];
  const starts: number[] = [];
  for (let i = 0; i < fns; i++) {
    starts.push(lines.length + 1);
    lines.push(`export function ${prefix}${i}(input: number): number {`);
    for (let j = 0; j < linesPer - 2; j++)
      lines.push(`  input = (input * ${j + 3}) % 1000003; // step ${j}`);
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
export function sdkPayloads(
  ws: BenchWorkspace,
  requests: number,
  perRequest: number,
): { protobuf: Uint8Array[]; json: Uint8Array[]; spans: number } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'bench-shop',
      'service.version': '1.4.2',
      'deployment.environment.name': 'bench',
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('bench');
  const fns = ws.files.flatMap((f) =>
    f.starts.map((s, i) => ({ file: f.rel, name: `${f.prefix}${i}`, line: s + 2 })),
  );
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

/**
 * A workspace of `count` small service files in four languages, each with route registrations,
 * log statements and helpers, as the workspace text index sees a real repository.
 */
export function serviceWorkspace(count: number): { root: string; files: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'prodlens-bench-index-'));
  const files: string[] = [];
  const kinds = [
    (i: number) => ({
      rel: `js/svc${i}/routes.js`,
      text: `const express = require('express');\nconst router = express.Router();\n${Array.from({ length: 8 }, (_, j) => `router.get('/r${i}/items${j}/:id', async (req, res) => {\n  logger.info(\`item ${j} served id=\${req.params.id}\`);\n  res.json(await load${j}(req.params.id));\n});\n`).join('')}function helper() {\n  return 1;\n}\nmodule.exports = router;\n`,
    }),
    (i: number) => ({
      rel: `py/svc${i}/views.py`,
      text: `import logging\nlogger = logging.getLogger(__name__)\n\n${Array.from({ length: 8 }, (_, j) => `@app.get("/r${i}/items${j}/{item_id}")\nasync def read_${j}(item_id: int):\n    logger.info("item ${j} read %s", item_id)\n    return {"id": item_id}\n\n`).join('')}`,
    }),
    (i: number) => ({
      rel: `java/svc${i}/ItemController.java`,
      text: `package svc${i};\n\n@RestController\n@RequestMapping("/r${i}")\npublic class ItemController {\n${Array.from({ length: 8 }, (_, j) => `    @GetMapping("/items${j}/{id}")\n    public String get${j}(@PathVariable String id) {\n        log.info("item ${j} fetched {}", id);\n        return id;\n    }\n`).join('')}}\n`,
    }),
    (i: number) => ({
      rel: `go/svc${i}/main.go`,
      text: `package main\n\n${Array.from({ length: 8 }, (_, j) => `func get${j}(w http.ResponseWriter, r *http.Request) {\n\tslog.Info("item ${j} served", "path", r.URL.Path)\n}\n\n`).join('')}func routes(mux *http.ServeMux) {\n${Array.from({ length: 8 }, (_, j) => `\tmux.HandleFunc("GET /r${i}/items${j}/{id}", get${j})\n`).join('')}}\n`,
    }),
  ];
  for (let i = 0; i < count; i++) {
    const { rel, text } = kinds[i % kinds.length]!(i);
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
    files.push(rel);
  }
  return { root, files };
}
