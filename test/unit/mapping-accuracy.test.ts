// The mapping accuracy benchmark's scoring over outputs recorded from the real runtimes (node,
// python3, java, go, ruby, php: `npm run bench:mapping -- --record`), so every language's parser
// and resolver is checked on what its runtime really prints, in CI too where a runtime is missing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import {
  meetsTarget,
  PROGRAMS,
  scoreFrames,
  scoreLogs,
  type Output,
} from '../../bench/mapping/score';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import type { Engine } from '../../src/core/engine/engine';
import { StackResolver } from '../../src/core/stacktrace/resolve';

const RECORDED = join(__dirname, '..', 'fixtures', 'mapping-bench');
let engine: Engine;
let resolver: StackResolver;

before(async () => {
  ({ engine } = await createWorkspaceEngine(PROGRAMS));
  resolver = new StackResolver({ files: engine.files, functions: engine.codeLookup().functions });
});

for (const language of ['node', 'python', 'java', 'go', 'ruby', 'php']) {
  test(`${language}: recorded stack frames and log lines land on the right file, line and function`, async () => {
    const out = JSON.parse(readFileSync(join(RECORDED, `${language}.json`), 'utf8')) as Output;
    const frames = await scoreFrames(language, out.stacks, resolver);
    const logs = scoreLogs(out.logs, engine);
    assert.ok(frames.relevant >= 8, `${language}: ${frames.relevant} workspace frames recorded`);
    assert.ok(logs.relevant >= 4, `${language}: ${logs.relevant} log lines recorded`);
    assert.ok(
      meetsTarget(frames),
      `${language} frames: ${frames.correct}/${frames.claimed} claimed, ${frames.relevant} relevant\n${frames.wrong.join('\n')}`,
    );
    assert.ok(
      meetsTarget(logs),
      `${language} logs: ${logs.correct}/${logs.claimed} claimed, ${logs.relevant} relevant\n${logs.wrong.join('\n')}`,
    );
  });
}
