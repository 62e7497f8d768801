// One app, end to end: run it against a `prodlens serve` (run.ts), turn what it recorded into the
// CLI's inputs (evidence.ts), ask the CLI (`report`, `locate`) and judge the answers (verdicts.ts).
// Everything the run saw and every answer is written to test-results/corpus/<app>/.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ReportJson } from '../../../src/cli/report-rows';
import type { SpanRecord } from '../../../src/core/model';
import { loadExpected, ROOT, RUN_DIR, type AppSpec, type ErrorSpec } from './apps';
import { attribute, extractStacks, otlpJson } from './evidence';
import {
  CLI,
  cli,
  cliArgs,
  cliJson,
  prepareWorkspace,
  Proc,
  runApp,
  startRecorder,
  type Recorder,
  type Run,
  type ScoreOptions,
} from './run';
import {
  judgeFrames,
  judgeLogs,
  judgeRequests,
  judgeRows,
  rowKey,
  type AppResult,
  type FrameResult,
  type LocateRecord,
} from './verdicts';

// What a failing `report` answers, so the rest of the scoring still runs (its failure is a problem).
const NO_REPORT: ReportJson = { functions: [], unmapped: [] };
// Stands in for a `locate` there was nothing to ask about.
const NOTHING_TO_LOCATE: Promise<Run> = Promise.resolve({ status: 0, stdout: '[]', stderr: '' });

export async function scoreApp(app: AppSpec, o: ScoreOptions = {}): Promise<AppResult> {
  const t0 = Date.now();
  const log = o.log ?? (() => {});
  const expected = loadExpected(app);
  const workDir = join(RUN_DIR, app.name);
  rmSync(join(workDir, 'serve-data'), { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  if (!o.fromSource && !existsSync(CLI))
    throw new Error('dist/cli.js missing: run `npm run build` first (or pass --src)');
  const problems: string[] = [];
  const notes: string[] = [];
  const workspace = await prepareWorkspace(app, workDir);
  log(`${app.name}: workspace ${relative(ROOT, workspace)}`);

  const serve = new Proc(
    spawn(
      process.execPath,
      cliArgs(o, [
        'serve',
        '--workspace',
        workspace,
        '--port',
        '0',
        '--grpc-port',
        '0',
        '--data-dir',
        join(workDir, 'serve-data'),
      ]),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  let recorder: Recorder | undefined;
  try {
    const listening = await serve.waitFor(
      /^listening on http:\/\//,
      'prodlens serve to listen',
      60_000,
    );
    const serveUrl = listening.replace(/^listening on /, '').trim();
    recorder = await startRecorder(serveUrl);
    const {
      sent,
      spans,
      logRecords,
      output: outputLines,
    } = await runApp(app, workspace, expected, recorder, { t0, log, problems });
    writeFileSync(join(workDir, 'spans.json'), JSON.stringify(spans, null, 1));
    writeFileSync(join(workDir, 'logs.json'), JSON.stringify(logRecords, null, 1));
    const output = outputLines.map((l) => l.text);
    writeFileSync(
      join(workDir, 'app-output.log'),
      outputLines.map((l) => `${l.stream === 'stderr' ? 'E' : 'O'} ${l.text}`).join('\n') + '\n',
    );

    // Which request each span served; server spans apart from the spans below them.
    const { traceOf, groups } = attribute(spans, new Set(expected.requests.map((q) => q.request)));
    const relabelled = join(workDir, 'relabelled.otlp.json');
    writeFileSync(relabelled, otlpJson(groups) + '\n');

    const stacks = extractStacks(output);
    const stackFiles: { spec: ErrorSpec; file: string | null }[] = expected.errors.map(
      (spec, i) => {
        const st = stacks.find((s) => s.header.includes(spec.message));
        if (!st) return { spec, file: null };
        const file = join(workDir, `stack-${i}.txt`);
        writeFileSync(file, st.text + '\n');
        return { spec, file };
      },
    );
    const logLines = expected.logs.map(
      (spec) => output.find((l) => l.includes(spec.contains)) ?? null,
    );
    const logFile = join(workDir, 'log-lines.txt');
    writeFileSync(logFile, logLines.map((l) => l ?? '(line not printed)').join('\n') + '\n');

    // The same failures as the spans recorded them: one span per error with its `exception` event.
    const eventSpans = expected.errors.map((spec) =>
      spans.find(
        (s) =>
          traceOf.get(s.traceId) === spec.request &&
          s.events.some(
            (e) =>
              e.name === 'exception' &&
              String(e.attributes['exception.stacktrace'] ?? '')
                .split('\n')[0]!
                .includes(spec.message),
          ),
      ),
    );
    const eventFile = join(workDir, 'error-spans.otlp.json');
    const withEvents = eventSpans.filter((s): s is SpanRecord => s !== undefined);
    writeFileSync(eventFile, otlpJson(new Map([[`corpus-${app.name}`, withEvents]])) + '\n');

    const [live, attributed, located, eventRun, ...stackRuns] = await Promise.all([
      cli(o, ['report', '--workspace', workspace, '--from', serveUrl, '--json', '--window', '15m']),
      cli(o, [
        'report',
        '--workspace',
        workspace,
        '--otlp-file',
        relabelled,
        '--json',
        '--window',
        '15m',
      ]),
      expected.logs.length
        ? cli(o, ['locate', '--workspace', workspace, '--log-file', logFile, '--json'])
        : NOTHING_TO_LOCATE,
      withEvents.length
        ? cli(o, ['locate', '--workspace', workspace, '--span', eventFile, '--json'])
        : NOTHING_TO_LOCATE,
      ...stackFiles.map((s) =>
        s.file
          ? cli(o, ['locate', '--workspace', workspace, '--stack', s.file, '--json'])
          : NOTHING_TO_LOCATE,
      ),
    ]);
    writeFileSync(join(workDir, 'report-live.json'), live!.stdout);
    writeFileSync(join(workDir, 'report-attributed.json'), attributed!.stdout);
    const liveRows = cliJson<ReportJson>(live!, 'report --from', problems, NO_REPORT).functions;
    const { functions: rows, unmapped } = cliJson<ReportJson>(
      attributed!,
      'report --otlp-file',
      problems,
      NO_REPORT,
    );
    // The same spans under other service names: anything but the labels differing is a pipeline bug.
    const liveSig = liveRows.map((r) => `${rowKey(r)} ×${r.count}`).sort();
    const relSig = rows.map((r) => `${rowKey(r)} ×${r.count}`).sort();
    if (liveSig.join('\n') !== relSig.join('\n'))
      problems.push(
        `report --from and the re-labelled report differ:\n  live: ${liveSig.join('; ')}\n  relabelled: ${relSig.join('; ')}`,
      );

    const requests = judgeRequests(expected, sent, spans, traceOf, rows, problems);
    const { impure, overcount, otherRows } = judgeRows(expected, sent, rows);

    // Frames: of the stacks the app logged, and of the spans' exception events.
    const eventRecords = cliJson<LocateRecord[]>(eventRun!, 'locate --span', problems, []);
    const frames: FrameResult[] = [
      ...stackFiles.map((s, i) =>
        judgeFrames(
          app,
          workspace,
          s.spec,
          'logged stack',
          s.file
            ? cliJson<LocateRecord[]>(stackRuns[i]!, `locate --stack ${s.file}`, problems, [])
            : undefined,
        ),
      ),
      // Only where the instrumentation recorded the exception on a span (stock Fastify records none).
      ...expected.errors.flatMap((spec, i) => {
        const span = eventSpans[i];
        return span
          ? [
              judgeFrames(
                app,
                workspace,
                spec,
                'span event',
                eventRecords.filter((r) => r.source.includes(span.spanId)),
              ),
            ]
          : [];
      }),
    ];
    for (const spec of expected.errors.filter((_, i) => !eventSpans[i]))
      notes.push(`no span of ${spec.request} carries an exception event for "${spec.message}"`);

    const logs = judgeLogs(
      expected,
      logLines,
      cliJson<LocateRecord[]>(located!, 'locate --log-file', problems, []),
      logFile,
    );

    const result: AppResult = {
      app,
      workspace,
      requests,
      impure,
      overcount,
      unmapped,
      otherRows,
      frames,
      logs,
      problems,
      notes,
      spans,
      logRecords,
      liveRows,
      ms: Date.now() - t0,
    };
    writeFileSync(
      join(workDir, 'score.json'),
      JSON.stringify({ ...result, spans: undefined, logRecords: undefined }, null, 1),
    );
    return result;
  } finally {
    await serve.stop();
    await recorder?.close();
  }
}
