import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, test } from 'node:test';
import { runLocate, type LocateRecord } from '../../src/cli/locate';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import { lensTitle } from '../../src/core/format/presentation';
import { anchorLine, parseHunks, rangeChanged } from '../../src/core/mapping/version-drift';
import { StackResolver } from '../../src/core/stacktrace/resolve';
import { codeSpan, span } from '../support/spans';

test('lines move through -U0 hunks: insertions shift, edits and deletions say so', () => {
  const hunks = parseHunks(
    'diff --git a/x b/x\n@@ -2,0 +3,3 @@\n+a\n+b\n+c\n@@ -10,2 +13,1 @@\n-x\n-y\n+z\n@@ -20 +22,0 @@\n-gone\n',
  );
  assert.deepEqual(hunks, [
    { oldStart: 2, oldCount: 0, newStart: 3, newCount: 3 },
    { oldStart: 10, oldCount: 2, newStart: 13, newCount: 1 },
    { oldStart: 20, oldCount: 1, newStart: 22, newCount: 0 },
  ]);
  assert.deepEqual(anchorLine(hunks, 1), { line: 1, changed: false });
  assert.deepEqual(anchorLine(hunks, 2), { line: 2, changed: false }, 'inserted after line 2');
  assert.deepEqual(anchorLine(hunks, 5), { line: 8, changed: false });
  assert.deepEqual(anchorLine(hunks, 11), { line: 13, changed: true });
  assert.deepEqual(anchorLine(hunks, 15), { line: 17, changed: false });
  assert.deepEqual(anchorLine(hunks, 20), { line: 22, changed: true });
  assert.deepEqual(anchorLine(hunks, 30), { line: 31, changed: false });
  assert.equal(rangeChanged(hunks, 12, 14), true);
  assert.equal(rangeChanged(hunks, 15, 20), false);
  assert.equal(rangeChanged(hunks, 20, 25), true, 'a deletion inside the range');
});

const repo = mkdtempSync(join(tmpdir(), 'prodlens-drift-'));
after(() => rmSync(repo, { recursive: true, force: true }));
const git = (...args: string[]) =>
  execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();

const V1 = `export function placeOrder(id: string) {
  const total = 1;
  return total;
}

export function getOrder(id: string) {
  return id;
}
`;

test('spans from an older deployed commit land on the function their line belongs to now; edited functions say so', async () => {
  mkdirSync(join(repo, 'src'));
  writeFileSync(join(repo, 'src/orders.ts'), V1);
  git('init', '-q');
  git('-c', 'user.email=t@t', '-c', 'user.name=t', 'add', '.');
  git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'v1');
  const deployed = git('rev-parse', 'HEAD');
  // Since the deploy: three lines above both functions, and getOrder edited.
  const v2 = `// header\n// added\n// since v1\n${V1.replace('return id;', 'return id.trim();')}`;
  writeFileSync(join(repo, 'src/orders.ts'), v2);
  git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qam', 'v2');
  const { engine } = await createWorkspaceEngine(repo);
  const resource = { service: 'shop', environment: 'prod', version: '1.0.0', revision: deployed };
  const spans = [];
  for (let i = 0; i < 5; i++)
    spans.push(codeSpan('/app/src/orders.ts', 'placeOrder', 2, 10, { resource }));
  for (let i = 0; i < 5; i++)
    spans.push(codeSpan('/app/src/orders.ts', 'getOrder', 7, 3, { resource }));
  engine.ingestSpans(spans);
  await engine.functionsIn('src/orders.ts');
  engine.fileStats('src/orders.ts', { windowMs: 900_000 }); // asks for the drift; git answers in the background
  await new Promise<void>((resolve) => engine.onDidIngest(resolve));
  const stats = engine.fileStats('src/orders.ts', { windowMs: 900_000 });
  const place = stats.find((s) => s.function.name === 'placeOrder')!;
  const get = stats.find((s) => s.function.name === 'getOrder')!;
  assert.equal(place.function.startLine, 4);
  assert.match(
    place.mapping.explanation,
    new RegExp(`line 2 at the deployed ${deployed.slice(0, 8)} is line 5 in the working tree`),
  );
  assert.equal(place.mapping.confidence, 'high');
  assert.equal(place.changedSince, undefined);
  assert.match(
    get.mapping.explanation,
    /line 7 at the deployed \w+ was edited since, so it is matched near line 10/,
  );
  assert.equal(get.mapping.confidence, 'medium');
  assert.equal(get.changedSince, deployed.slice(0, 8));
  assert.match(lensTitle(get), new RegExp(`· changed since ${deployed.slice(0, 8)}$`));
  // Telemetry at HEAD itself needs no re-anchoring.
  engine.ingestSpans([
    codeSpan('/app/src/orders.ts', 'placeOrder', 5, 1, {
      resource: { ...resource, version: '2.0.0', revision: git('rev-parse', 'HEAD') },
    }),
  ]);
  const head = engine
    .fileStats('src/orders.ts', { windowMs: 900_000 })
    .find((s) => s.function.name === 'placeOrder')!;
  assert.equal(head.stats.count, 6);
});

test('a stack trace from an older deployed commit opens the line it names as it is now; an edited line lowers the confidence', async () => {
  // The repository of the test above: v1 deployed, three lines added on top since, getOrder edited.
  const deployed = git('rev-parse', 'HEAD~1');
  const { engine } = await createWorkspaceEngine(repo);
  const resource = { service: 'shop', environment: 'prod', version: '1.0.0', revision: deployed };
  const stack = [
    'Error: boom',
    '    at getOrder (/app/src/orders.ts:7:10)',
    '    at placeOrder (/app/src/orders.ts:2:9)',
  ].join('\n');
  const thrown = span({
    resource,
    statusCode: 2,
    events: [
      {
        name: 'exception',
        timeMs: Date.now(),
        attributes: {
          'exception.type': 'Error',
          'exception.message': 'boom',
          'exception.stacktrace': stack,
        },
      },
    ],
  });
  engine.ingestSpans([thrown]);
  const version = () => `${engine.files.version}:${engine.codeLookup().resolver.drift!.version}`;
  const diffed = new Promise<void>((resolve) =>
    engine.codeLookup().resolver.drift!.onDidChange(resolve),
  );
  await engine.locateErrors(0, version()); // asks git for the diff
  await diffed;
  const [located] = await engine.locateErrors(0, version());
  const [get, place] = located!.frames;
  assert.equal(place!.line, 5, 'placeOrder line 2 at the deploy is line 5 now');
  assert.equal(place!.function?.qualifiedName, 'placeOrder');
  assert.equal(place!.confidence, 'high');
  assert.match(
    place!.explanation,
    new RegExp(`line 2 at the deployed ${deployed.slice(0, 8)} is line 5 in the working tree`),
  );
  assert.equal(get!.line, 10, 'the edited return line is matched where it is now');
  assert.equal(get!.function?.qualifiedName, 'getOrder');
  assert.equal(get!.confidence, 'medium');
  assert.match(
    get!.explanation,
    /line 7 at the deployed \w+ was edited since, so it is matched near line 10/,
  );
  assert.equal(located!.top.line, 10, 'the decoration goes on the throwing line as it is now');
  // Without a revision (or at HEAD), lines are taken as they are.
  const plain = await new StackResolver({
    files: engine.files,
    functions: engine.codeLookup().functions,
    drift: engine.codeLookup().resolver.drift!,
  }).resolveAll(located!.frames.map((f) => f.frame));
  assert.deepEqual(
    plain.map((f) => f.line),
    [7, 2],
  );
});

test('prodlens locate answers like the editor: --stack with --revision, and --span from an older deployed commit, land on the lines as they are now', async () => {
  const deployed = git('rev-parse', 'HEAD~1');
  let out = '';
  const io = {
    stdout: new PassThrough().on('data', (d: Buffer) => (out += d.toString())),
    stderr: new PassThrough(),
  };
  const stackFile = join(repo, 'stack.txt');
  writeFileSync(
    stackFile,
    'Error: boom\n    at getOrder (/app/src/orders.ts:7:10)\n    at placeOrder (/app/src/orders.ts:2:9)\n',
  );
  assert.equal(
    await runLocate(
      ['--workspace', repo, '--stack', stackFile, '--revision', deployed, '--json'],
      io,
    ),
    0,
  );
  const frames = JSON.parse(out) as LocateRecord[];
  assert.deepEqual(
    frames.map((f) => [f.line, f.function, f.confidence]),
    [
      [10, 'getOrder', 'medium'],
      [5, 'placeOrder', 'high'],
    ],
  );
  out = '';
  assert.equal(await runLocate(['--workspace', repo, '--stack', stackFile, '--json'], io), 0);
  assert.deepEqual(
    (JSON.parse(out) as LocateRecord[]).map((f) => f.line),
    [7, 2],
    'without --revision the lines are taken as they are',
  );
  await assert.rejects(
    runLocate(['--workspace', repo, '--stack', stackFile, '--revision', 'main'], io),
    /--revision takes a commit/,
  );

  const attr = (key: string, v: string | number) => ({
    key,
    value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v },
  });
  const now = BigInt(Date.now()) * 1_000_000n;
  const request = {
    resourceSpans: [
      {
        resource: {
          attributes: [attr('service.name', 'shop'), attr('vcs.ref.head.revision', deployed)],
        },
        scopeSpans: [
          {
            spans: [
              {
                traceId: '0af7651916cd43dd8448eb211c80319c',
                spanId: 'b7ad6b7169203331',
                name: 'placeOrder',
                kind: 2,
                startTimeUnixNano: String(now - 5_000_000n),
                endTimeUnixNano: String(now),
                attributes: [
                  attr('code.file.path', '/app/src/orders.ts'),
                  attr('code.function.name', 'placeOrder'),
                  attr('code.line.number', 2),
                ],
              },
            ],
          },
        ],
      },
    ],
  };
  const spanFile = join(repo, 'spans.json');
  writeFileSync(spanFile, JSON.stringify(request));
  out = '';
  assert.equal(await runLocate(['--workspace', repo, '--span', spanFile, '--json'], io), 0);
  const [rec] = JSON.parse(out) as LocateRecord[];
  assert.deepEqual([rec!.line, rec!.function], [5, 'placeOrder']);
  assert.match(
    rec!.explanation,
    new RegExp(`line 2 at the deployed ${deployed.slice(0, 8)} is line 5 in the working tree`),
  );
});
