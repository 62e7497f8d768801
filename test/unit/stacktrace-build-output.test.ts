// TypeScript that runs from dist/ without source maps, compiled here by the real compiler to ES2015
// (async/await down-levelled through __awaiter) and run by node for a real stack: the compiler's
// helper frames are skipped, and the user's frame lands on the source line in src/ whose text the
// compiled statement keeps.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import ts from 'typescript';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import { parseStackTrace } from '../../src/core/stacktrace/parse';
import { type FrameResolution, StackResolver } from '../../src/core/stacktrace/resolve';

const tmp = mkdtempSync(join(tmpdir(), 'prodlens-dist-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const USERS = `export class UsersController {
  private readonly users = new Map<string, string>();

  async getUser(id: string): Promise<string> {
    await Promise.resolve();
    const user = this.users.get(id);
    if (!user) throw new Error(\`no user \${id}\`);
    return user;
  }
}

export const loadProfile = async (id: string): Promise<string> => {
  await new Promise((r) => setTimeout(r, 1));
  return new UsersController().getUser(id);
};
`;
const MAIN = `import { loadProfile } from './routes/users';

loadProfile('42').catch((err: Error) => {
  process.stdout.write(JSON.stringify({ stack: err.stack }));
});
`;

let frames: FrameResolution[];
let stack: string;

before(async () => {
  const ws = join(tmp, 'ws');
  for (const [file, text] of [
    ['routes/users', USERS],
    ['main', MAIN],
  ] as const) {
    mkdirSync(join(ws, 'src', 'routes'), { recursive: true });
    mkdirSync(join(ws, 'dist', 'routes'), { recursive: true });
    writeFileSync(join(ws, 'src', `${file}.ts`), text);
    const out = ts.transpileModule(text, {
      compilerOptions: { target: ts.ScriptTarget.ES2015, module: ts.ModuleKind.CommonJS },
    });
    writeFileSync(join(ws, 'dist', `${file}.js`), out.outputText);
  }
  stack = (
    JSON.parse(
      execFileSync(process.execPath, [join(ws, 'dist', 'main.js')], { encoding: 'utf8' }),
    ) as { stack: string }
  ).stack;
  const { engine } = await createWorkspaceEngine(ws);
  frames = await new StackResolver({
    files: engine.files,
    functions: engine.codeLookup().functions,
  }).resolveAll(parseStackTrace(stack).frames);
});

test('the real stack of down-levelled async code has the helper frames on top of the user frame', () => {
  assert.match(stack, /at UsersController\.<anonymous> \(.*dist\/routes\/users\.js:\d+:\d+\)/);
  assert.match(stack, /at fulfilled \(.*dist\/routes\/users\.js/);
});

test('compiler helper frames are marked as such, not mapped onto a function', () => {
  const helper = frames.find((f) => f.frame.function === 'fulfilled');
  assert.ok(helper);
  assert.equal(helper.inWorkspace, false);
  assert.match(
    helper.explanation,
    /fulfilled is a compiler helper emitted into .*dist\/routes\/users\.js/,
  );
});

test("the user's frame in build output without a source map lands on the source line that reads the same", () => {
  const user = frames.find((f) => f.frame.function === 'UsersController.<anonymous>');
  assert.ok(user);
  assert.equal(user.file, 'src/routes/users.ts', user.explanation);
  assert.equal(user.line, 7, 'the throw statement in the source');
  assert.equal(user.function?.qualifiedName, 'UsersController.getUser');
  assert.equal(user.confidence, 'medium');
  assert.match(
    user.explanation,
    /dist\/routes\/users\.js is build output without a source map .* reads as its line 7 does, inside UsersController\.getUser/,
  );
});
