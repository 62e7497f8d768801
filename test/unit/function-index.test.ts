// FunctionIndex caching semantics (hashing, in-flight sharing, invalidation, events) and the pure
// lookups functionAt / functionsNamed.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FunctionRange, LanguageId } from '../../src/core/model';
import { FunctionParser } from '../../src/core/mapping/function-parser';
import { FunctionIndex, MAX_PARSE_BYTES } from '../../src/core/mapping/function-index';
import { functionAt, functionsNamed, nameMatchLength } from '../../src/core/function-lookup';

let parser: FunctionParser;
let parseCalls: number;
let failParse: boolean;

before(async () => {
  parser = await FunctionParser.create({ languages: ['typescript', 'python'] });
  // Count (and on demand break) parses without changing what they return.
  const realParse = parser.parse.bind(parser);
  parser.parse = (text: string, language: LanguageId) => {
    parseCalls++;
    if (failParse) throw new Error('parser exploded');
    return realParse(text, language);
  };
});

after(() => parser.dispose());

beforeEach(() => {
  parseCalls = 0;
  failParse = false;
});

/** An in-memory workspace whose reads can be counted and held back. */
class FakeFs {
  files = new Map<string, string>();
  reads = 0;
  private gate: Promise<void> | undefined;
  private release: (() => void) | undefined;

  readFile = async (relPath: string): Promise<string | undefined> => {
    this.reads++;
    const text = this.files.get(relPath);
    if (this.gate) await this.gate;
    if (text === 'THROW') throw new Error('EACCES');
    return text;
  };

  hold(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }

  open(): void {
    this.release?.();
    this.gate = undefined;
  }
}

const TS_A = 'export function alpha() {\n  return 1;\n}\n';
const TS_B = 'export function alpha() {\n  return 1;\n}\n\nfunction beta() {}\n';

function names(ranges: FunctionRange[] | undefined): string[] | undefined {
  return ranges?.map((r) => r.qualifiedName);
}

describe('FunctionIndex', () => {
  it('returns undefined for unsupported languages without reading', async () => {
    const fs = new FakeFs();
    const index = new FunctionIndex(parser, fs.readFile);
    assert.equal(await index.get('README.md'), undefined);
    assert.equal(fs.reads, 0);
  });

  it('returns undefined for missing or unreadable files, never rejecting', async () => {
    const fs = new FakeFs();
    fs.files.set('locked.ts', 'THROW');
    const index = new FunctionIndex(parser, fs.readFile);
    assert.equal(await index.get('missing.ts'), undefined);
    assert.equal(await index.get('locked.ts'), undefined);
    assert.equal(index.getCached('missing.ts'), undefined);
  });

  it('parses once per content: re-reading an unchanged file reuses the cache', async () => {
    const fs = new FakeFs();
    fs.files.set('src/a.ts', TS_A);
    const index = new FunctionIndex(parser, fs.readFile);
    assert.equal(index.getCached('src/a.ts'), undefined);
    assert.deepEqual(names(await index.get('src/a.ts')), ['alpha']);
    assert.deepEqual(names(await index.get('src/a.ts')), ['alpha']);
    assert.equal(fs.reads, 2);
    assert.equal(parseCalls, 1);
    assert.deepEqual(names(index.getCached('src/a.ts')), ['alpha']);

    fs.files.set('src/a.ts', TS_B);
    assert.deepEqual(names(await index.get('src/a.ts')), ['alpha', 'beta']);
    assert.equal(parseCalls, 2);
  });

  it('shares one read and one parse between concurrent gets of a file', async () => {
    const fs = new FakeFs();
    fs.files.set('a.ts', TS_A);
    const index = new FunctionIndex(parser, fs.readFile);
    fs.hold();
    const pending = [index.get('a.ts'), index.get('a.ts'), index.get('a.ts')];
    fs.open();
    const results = await Promise.all(pending);
    assert.equal(fs.reads, 1);
    assert.equal(parseCalls, 1);
    for (const r of results) assert.deepEqual(names(r), ['alpha']);
    assert.equal(results[0], results[1]);
  });

  it('fires onDidChange when a file is first parsed, changes, or is dropped, and not otherwise', async () => {
    const fs = new FakeFs();
    fs.files.set('a.ts', TS_A);
    const index = new FunctionIndex(parser, fs.readFile);
    const events: string[] = [];
    const unsubscribe = index.onDidChange((p) => events.push(p));
    await index.get('a.ts');
    await index.get('a.ts');
    assert.deepEqual(events, ['a.ts']);
    fs.files.set('a.ts', TS_B);
    await index.get('a.ts');
    assert.deepEqual(events, ['a.ts', 'a.ts']);
    fs.files.delete('a.ts');
    assert.equal(await index.get('a.ts'), undefined);
    assert.deepEqual(events, ['a.ts', 'a.ts', 'a.ts']);
    assert.equal(index.getCached('a.ts'), undefined);
    unsubscribe();
    index.setText('a.ts', TS_A);
    assert.equal(events.length, 3);
  });

  it('keeps working when a listener throws', async () => {
    const fs = new FakeFs();
    fs.files.set('a.ts', TS_A);
    const index = new FunctionIndex(parser, fs.readFile);
    const seen: string[] = [];
    index.onDidChange(() => {
      throw new Error('listener bug');
    });
    index.onDidChange((p) => seen.push(p));
    assert.deepEqual(names(await index.get('a.ts')), ['alpha']);
    assert.deepEqual(seen, ['a.ts']);
  });

  it('setText parses an unsaved buffer synchronously and caches it', () => {
    const index = new FunctionIndex(parser, async () => undefined);
    assert.deepEqual(names(index.setText('a.ts', TS_B)), ['alpha', 'beta']);
    assert.deepEqual(names(index.getCached('a.ts')), ['alpha', 'beta']);
    assert.deepEqual(names(index.setText('a.ts', TS_B)), ['alpha', 'beta']);
    assert.equal(parseCalls, 1);
    assert.deepEqual(index.setText('notes.txt', 'def x(): pass'), []);
  });

  it('setText for a language whose grammar is not loaded yet answers [] and fills in later', async () => {
    const lazy = await FunctionParser.create();
    try {
      const index = new FunctionIndex(lazy, async () => undefined);
      const changed = new Promise<string>((resolve) => index.onDidChange(resolve));
      assert.deepEqual(index.setText('main.go', 'package main\n\nfunc main() {}\n'), []);
      assert.equal(await changed, 'main.go');
      assert.deepEqual(names(index.getCached('main.go')), ['main']);
    } finally {
      lazy.dispose();
    }
  });

  it('ensureLanguage makes setText synchronous for a lazily loaded grammar', async () => {
    const lazy = await FunctionParser.create();
    try {
      const index = new FunctionIndex(lazy, async () => undefined);
      assert.equal(await index.ensureLanguage('java'), true);
      assert.deepEqual(names(index.setText('A.java', 'class A { void run() {} }')), ['A.run']);
    } finally {
      lazy.dispose();
    }
    // A disposed parser cannot load anything: reported, not thrown.
    assert.equal(await new FunctionIndex(lazy, async () => undefined).ensureLanguage('go'), false);
  });

  it('invalidate drops the entry, and the next get reads again', async () => {
    const fs = new FakeFs();
    fs.files.set('a.ts', TS_A);
    const index = new FunctionIndex(parser, fs.readFile);
    await index.get('a.ts');
    const events: string[] = [];
    index.onDidChange((p) => events.push(p));
    index.invalidate('a.ts');
    assert.equal(index.getCached('a.ts'), undefined);
    assert.deepEqual(events, ['a.ts']);
    index.invalidate('a.ts'); // Nothing cached: nothing to announce.
    assert.deepEqual(events, ['a.ts']);
    assert.deepEqual(names(await index.get('a.ts')), ['alpha']);
    assert.equal(fs.reads, 2);
  });

  it('does not let a read that started before setText overwrite the newer buffer', async () => {
    const fs = new FakeFs();
    fs.files.set('a.ts', TS_A);
    const index = new FunctionIndex(parser, fs.readFile);
    fs.hold();
    const stale = index.get('a.ts');
    index.setText('a.ts', TS_B);
    fs.open();
    assert.deepEqual(names(await stale), ['alpha']);
    assert.deepEqual(names(index.getCached('a.ts')), ['alpha', 'beta']);
  });

  it('starts a new read for a get issued after setText instead of joining the older one', async () => {
    const fs = new FakeFs();
    fs.files.set('a.ts', TS_A);
    const index = new FunctionIndex(parser, fs.readFile);
    fs.hold();
    const stale = index.get('a.ts');
    index.setText('a.ts', TS_B);
    fs.files.set('a.ts', 'function gamma() {}\n'); // Saved to disk meanwhile.
    const fresh = index.get('a.ts');
    fs.open();
    assert.deepEqual(names(await stale), ['alpha']);
    assert.deepEqual(names(await fresh), ['gamma']);
    assert.equal(fs.reads, 2);
    // get reflects what readFile returns, so the newer disk read replaces the buffer's entry.
    assert.deepEqual(names(index.getCached('a.ts')), ['gamma']);
  });

  it('does not cache the result of a read that invalidate overtook', async () => {
    const fs = new FakeFs();
    fs.files.set('a.ts', TS_A);
    const index = new FunctionIndex(parser, fs.readFile);
    fs.hold();
    const pending = index.get('a.ts');
    index.invalidate('a.ts');
    fs.open();
    assert.deepEqual(names(await pending), ['alpha']);
    assert.equal(index.getCached('a.ts'), undefined);
  });

  it('gives [] for files over 2 MB without parsing them', async () => {
    const fs = new FakeFs();
    const big = 'function f() {}\n'.repeat(Math.ceil(MAX_PARSE_BYTES / 16) + 1);
    assert.ok(Buffer.byteLength(big) > MAX_PARSE_BYTES);
    fs.files.set('bundle.js', big);
    const index = new FunctionIndex(parser, fs.readFile);
    assert.deepEqual(await index.get('bundle.js'), []);
    assert.deepEqual(index.setText('other.js', big), []);
    assert.equal(parseCalls, 0);
  });

  it('gives [] when the parser throws', async () => {
    const fs = new FakeFs();
    fs.files.set('a.py', 'def f():\n    pass\n');
    const index = new FunctionIndex(parser, fs.readFile);
    failParse = true;
    assert.deepEqual(await index.get('a.py'), []);
    assert.deepEqual(index.setText('b.py', 'def g():\n    pass\n'), []);
  });
});

function fr(qualifiedName: string, startLine: number, endLine: number): FunctionRange {
  const name = qualifiedName.slice(qualifiedName.lastIndexOf('.') + 1);
  return {
    name,
    qualifiedName,
    kind: 'function',
    startLine,
    endLine,
    nameLine: startLine,
    nameColumn: 0,
    nameEndColumn: name.length,
  };
}

describe('functionAt', () => {
  const ranges = [
    fr('Outer', 1, 20),
    fr('Outer.a', 2, 8),
    fr('Outer.a.inner', 4, 6),
    fr('Outer.b', 10, 12),
    fr('Outer.b.same', 10, 12),
  ];

  it('returns the innermost function containing the line', () => {
    assert.equal(functionAt(ranges, 1)?.qualifiedName, 'Outer');
    assert.equal(functionAt(ranges, 3)?.qualifiedName, 'Outer.a');
    assert.equal(functionAt(ranges, 4)?.qualifiedName, 'Outer.a.inner');
    assert.equal(functionAt(ranges, 6)?.qualifiedName, 'Outer.a.inner');
    assert.equal(functionAt(ranges, 8)?.qualifiedName, 'Outer.a');
    assert.equal(functionAt(ranges, 9)?.qualifiedName, 'Outer');
    assert.equal(functionAt(ranges, 20)?.qualifiedName, 'Outer');
  });

  it('prefers the later (inner) of two functions with identical lines', () => {
    assert.equal(functionAt(ranges, 11)?.qualifiedName, 'Outer.b.same');
  });

  it('returns undefined outside every function', () => {
    assert.equal(functionAt(ranges, 21), undefined);
    assert.equal(functionAt([], 1), undefined);
  });
});

describe('functionsNamed', () => {
  const ranges = [
    fr('OrderService.placeOrder', 1, 5),
    fr('LegacyOrders.placeOrder', 6, 9),
    fr('placeOrder', 10, 12),
    fr('Server.Handle', 13, 15),
    fr('outer.inner', 16, 18),
    fr('Outer.Inner.run', 19, 21),
    fr('Cart.#total', 22, 23),
    fr('acme.OrderService.placeOrder', 24, 26),
  ];
  const q = (name: string) => functionsNamed(ranges, name).map((r) => r.startLine);

  it('prefers the longest matching qualified suffix', () => {
    assert.deepEqual(q('com.acme.OrderService.placeOrder'), [24]);
    assert.deepEqual(q('org.other.OrderService.placeOrder'), [1, 24]);
    assert.deepEqual(q('LegacyOrders.placeOrder'), [6]);
  });

  it('prefers an exact qualified name over a longer one ending with it', () => {
    assert.deepEqual(q('OrderService.placeOrder'), [1]);
    assert.deepEqual(q('placeOrder'), [10]);
  });

  it('falls back to every function with the bare name', () => {
    assert.deepEqual(q('com.acme.Billing.placeOrder'), [1, 6, 10, 24]);
  });

  it('understands other languages’ separators and decorations', () => {
    assert.deepEqual(q('github.com/acme/orders.(*Server).Handle'), [13]);
    assert.deepEqual(q('orders::Server::Handle'), [13]);
    assert.deepEqual(q('Server#Handle'), [13]);
    assert.deepEqual(q('outer.<locals>.inner'), [16]);
    assert.deepEqual(q('com.acme.Outer$Inner.run'), [19]);
    assert.deepEqual(q('Cart#total'), [22]);
    assert.deepEqual(q('com.acme.LegacyOrders.placeOrder(java.lang.String)'), [6]);
  });

  it('returns [] when nothing matches', () => {
    assert.deepEqual(q('com.acme.OrderService.cancel'), []);
    assert.deepEqual(q(''), []);
    assert.deepEqual(functionsNamed([], 'x'), []);
  });

  it('exposes how many trailing segments matched', () => {
    const [service] = ranges;
    assert.ok(service);
    assert.equal(nameMatchLength(service, 'com.acme.OrderService.placeOrder'), 2);
    assert.equal(nameMatchLength(service, 'Other.placeOrder'), 1);
    assert.equal(nameMatchLength(service, 'cancel'), 0);
  });
});
