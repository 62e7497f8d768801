// FunctionParser against one realistic sample per language: every function's names, kind, lines
// and name position are pinned, so any drift in the queries or the tree walk shows up here.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FunctionRange, LanguageId } from '../../src/core/model';
import { FunctionParser, defaultWasmDir } from '../../src/core/mapping/function-parser';
import { languageForPath } from '../../src/core/languages';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'parse');
const ALL_LANGUAGES: LanguageId[] = [
  'typescript',
  'tsx',
  'javascript',
  'python',
  'java',
  'go',
  'csharp',
  'ruby',
  'php',
];

/** [name, qualifiedName, kind, startLine, endLine, nameLine, nameColumn, nameEndColumn] */
type Row = [string, string, FunctionRange['kind'], number, number, number, number, number];

const EXPECTED: Record<string, Row[]> = {
  'orders.rb': [
    ['initialize', 'Shop.OrderService.initialize', 'constructor', 4, 6, 4, 8, 18],
    ['place', 'Shop.OrderService.place', 'method', 8, 11, 8, 8, 13],
    ['build', 'Shop.OrderService.build', 'method', 13, 15, 13, 13, 18],
    ['helper', 'helper', 'function', 19, 21, 19, 4, 10],
  ],
  'Invoices.php': [
    ['__construct', 'Invoices.__construct', 'constructor', 9, 10, 9, 20, 31],
    ['settle', 'Invoices.settle', 'method', 12, 14, 12, 20, 26],
    ['make', 'Invoices.make', 'method', 16, 18, 16, 27, 31],
    ['format_cents', 'format_cents', 'function', 21, 23, 21, 9, 21],
  ],
  'Dashboard.tsx': [
    ['Dashboard', 'Dashboard', 'function', 10, 29, 10, 16, 25],
    // An arrow passed to a wrapper (useCallback) and bound to a name is that name's function.
    ['handleClick', 'Dashboard.handleClick', 'arrow', 17, 20, 17, 8, 19],
    ['renderRow', 'Dashboard.renderRow', 'arrow', 22, 26, 22, 8, 17],
    ['fetchRows', 'fetchRows', 'function', 31, 34, 31, 15, 24],
    [
      'getDerivedStateFromError',
      'ErrorBoundary.getDerivedStateFromError',
      'method',
      39,
      41,
      39,
      9,
      33,
    ],
    ['componentDidCatch', 'ErrorBoundary.componentDidCatch', 'arrow', 43, 45, 43, 2, 19],
    ['render', 'ErrorBoundary.render', 'method', 47, 52, 47, 2, 8],
    ['default', 'default', 'arrow', 55, 55, 55, 7, 14],
  ],
  'OrderController.java': [
    ['OrderController', 'OrderController.OrderController', 'constructor', 13, 15, 13, 11, 26],
    ['get', 'OrderController.get', 'method', 18, 20, 18, 27, 30],
    ['place', 'OrderController.place', 'method', 24, 27, 24, 18, 23],
    ['recent', 'OrderController.OrderService.recent', 'method', 34, 36, 34, 28, 34],
    ['isFinal', 'OrderController.Status.isFinal', 'method', 42, 44, 42, 16, 23],
    ['Order', 'OrderController.Order.Order', 'constructor', 48, 50, 48, 15, 20],
    ['id', 'OrderController.Order.Builder.id', 'method', 55, 58, 55, 20, 22],
    ['toString', 'OrderController.toString', 'method', 63, 65, 63, 18, 26],
  ],
  'PaymentProcessor.cs': [
    ['Describe', 'IGateway.Describe', 'method', 10, 10, 10, 15, 23],
    ['PaymentProcessor', 'PaymentProcessor.PaymentProcessor', 'constructor', 18, 21, 18, 15, 31],
    ['ProcessAsync', 'PaymentProcessor.ProcessAsync', 'method', 27, 35, 27, 34, 46],
    ['Normalize', 'PaymentProcessor.ProcessAsync.Normalize', 'function', 29, 32, 29, 19, 28],
    ['ToDollars', 'PaymentProcessor.ToDollars', 'method', 37, 37, 37, 30, 39],
    ['Record', 'PaymentProcessor.Ledger.Record', 'method', 41, 44, 41, 24, 30],
    ['ToString', 'PaymentProcessor.ToString', 'method', 47, 51, 47, 31, 39],
    ['Money', 'Money.Money', 'constructor', 58, 58, 58, 15, 20],
    ['Add', 'Money.Add', 'method', 60, 60, 60, 21, 24],
    ['IsPartial', 'Refund.IsPartial', 'method', 65, 65, 65, 20, 29],
  ],
  'billing.py': [
    ['retry', 'retry', 'function', 10, 25, 10, 4, 9],
    ['decorator', 'retry.decorator', 'function', 13, 23, 13, 8, 17],
    ['wrapper', 'retry.decorator.wrapper', 'function', 15, 21, 15, 12, 19],
    ['dollars', 'Invoice.dollars', 'method', 34, 35, 34, 8, 15],
    ['validate', 'BillingService.Config.validate', 'method', 42, 43, 42, 12, 20],
    ['__init__', 'BillingService.__init__', 'constructor', 45, 47, 45, 8, 16],
    ['charge', 'BillingService.charge', 'method', 50, 52, 50, 14, 20],
    ['tax_rate', 'BillingService.tax_rate', 'method', 56, 58, 56, 8, 16],
    ['summarize', 'BillingService.summarize', 'method', 60, 67, 60, 8, 17],
    ['line', 'BillingService.summarize.line', 'function', 61, 62, 61, 12, 16],
    ['main', 'main', 'function', 70, 72, 70, 10, 14],
  ],
  'inventory.js': [
    ['createStore', 'createStore', 'function', 7, 24, 7, 9, 20],
    ['get', 'createStore.get', 'function', 10, 12, 10, 11, 14],
    ['add', 'createStore.add', 'method', 16, 18, 16, 4, 7],
    ['remove', 'createStore.remove', 'function', 19, 21, 19, 4, 10],
    ['snapshot', 'createStore.snapshot', 'arrow', 22, 22, 22, 4, 12],
    ['constructor', 'Warehouse.constructor', 'constructor', 29, 33, 29, 2, 13],
    ['onLow', 'Warehouse.onLow', 'arrow', 31, 31, 31, 9, 14],
    ['restock', 'Warehouse.restock', 'method', 35, 39, 35, 9, 16],
    ['label', 'Warehouse.label', 'method', 41, 43, 41, 6, 11],
    ['fetchLevel', 'fetchLevel', 'function', 46, 48, 46, 15, 25],
    // An inline route handler is named by its route, so route-mapped spans and frames land on it.
    ['GET /stock/:sku', 'GET /stock/:sku', 'arrow', 50, 52, 50, 8, 21],
    ['render', 'render', 'arrow', 54, 58, 54, 6, 12],
    ['audit', 'Warehouse.audit', 'function', 60, 62, 60, 20, 25],
    ['handler', 'handler', 'arrow', 64, 66, 64, 15, 22],
  ],
  'order-service.ts': [
    ['Traced', 'Traced', 'function', 4, 6, 4, 9, 15],
    ['constructor', 'OrderService.constructor', 'constructor', 19, 22, 19, 2, 13],
    ['placeOrder', 'OrderService.placeOrder', 'method', 25, 34, 25, 8, 18],
    ['charge', 'OrderService.placeOrder.charge', 'arrow', 27, 30, 27, 10, 16],
    ['total', 'OrderService.total', 'method', 36, 38, 36, 2, 7],
    ['attempts', 'OrderService.attempts', 'method', 40, 42, 40, 6, 14],
    ['fromEnv', 'OrderService.fromEnv', 'method', 44, 46, 44, 9, 16],
    ['#evict', 'OrderService.#evict', 'method', 48, 50, 48, 2, 8],
    ['handleRefund', 'OrderService.handleRefund', 'arrow', 52, 54, 52, 2, 14],
    ['pendingIds', 'OrderService.pendingIds', 'method', 56, 58, 56, 3, 13],
    ['formatPrice', 'formatPrice', 'arrow', 61, 62, 61, 13, 24],
    ['createRouter', 'createRouter', 'function', 64, 73, 64, 16, 28],
    ['place', 'createRouter.routes.place', 'method', 66, 68, 66, 10, 15],
    ['refund', 'createRouter.routes.refund', 'arrow', 69, 69, 69, 4, 10],
    ['bootstrap', 'bootstrap', 'function', 75, 81, 75, 24, 33],
    ['log', 'bootstrap.log', 'function', 77, 79, 77, 11, 14],
    ['retry', 'retry', 'function', 83, 85, 83, 4, 9],
    ['describe', 'Discount.describe', 'method', 89, 91, 89, 2, 10],
  ],
  'server.go': [
    ['NewServer', 'NewServer', 'function', 24, 26, 24, 5, 14],
    ['Handle', 'Server.Handle', 'method', 28, 35, 28, 17, 23],
    ['Dollars', 'Order.Dollars', 'method', 37, 39, 37, 15, 22],
    ['Put', 'Cache.Put', 'method', 45, 47, 45, 22, 25],
    ['writeJSON', 'writeJSON', 'function', 49, 57, 49, 5, 14],
    ['Map', 'Map', 'function', 59, 65, 59, 5, 8],
  ],
};

function toRow(r: FunctionRange): Row {
  return [
    r.name,
    r.qualifiedName,
    r.kind,
    r.startLine,
    r.endLine,
    r.nameLine,
    r.nameColumn,
    r.nameEndColumn,
  ];
}

let parser: FunctionParser;

before(async () => {
  parser = await FunctionParser.create({ languages: ALL_LANGUAGES });
});

after(() => parser.dispose());

describe('FunctionParser on the sample files', () => {
  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(`finds exactly the expected functions in ${file}`, () => {
      const language = languageForPath(file);
      assert.ok(language, `no language for ${file}`);
      const text = readFileSync(path.join(FIXTURES, file), 'utf8');
      assert.deepEqual(parser.parse(text, language).map(toRow), expected);
    });

    it(`points each name position of ${file} at the name token`, () => {
      const text = readFileSync(path.join(FIXTURES, file), 'utf8');
      const lines = text.split('\n');
      for (const r of parser.parse(text, languageForPath(file) ?? 'typescript')) {
        const token = lines[r.nameLine - 1]?.slice(r.nameColumn, r.nameEndColumn);
        // A route handler's name token is its quoted route: `'/stock/:sku'` for `GET /stock/:sku`.
        const expected = /^[A-Z]+ \//.test(r.name)
          ? `'${r.name.slice(r.name.indexOf(' ') + 1)}'`
          : r.name;
        assert.equal(token, expected, `${r.qualifiedName} at ${r.nameLine}:${r.nameColumn}`);
      }
    });
  }
});

describe('FunctionParser edge cases', () => {
  it('returns partial results for a syntax-broken file without throwing', () => {
    const text = [
      'function before() {',
      '  return 1;',
      '}',
      '',
      'function broken(a, {',
      '  const x = ;',
      '',
      'class Service {',
      '  good() {',
      '    return 2;',
      '  }',
      '}',
    ].join('\n');
    const found = parser
      .parse(text, 'typescript')
      .map((r) => [r.qualifiedName, r.startLine, r.endLine]);
    assert.deepEqual(found, [
      ['before', 1, 3],
      ['Service.good', 9, 11],
    ]);
  });

  it('keeps the functions around a broken Python def', () => {
    const text = 'def ok():\n    return 1\n\ndef bad(:\n    pass\n\ndef fine():\n    return 2\n';
    const names = parser.parse(text, 'python').map((r) => r.qualifiedName);
    assert.ok(names.includes('ok') && names.includes('fine'), names.join(', '));
  });

  it('returns [] for an empty file in every language', () => {
    for (const language of ALL_LANGUAGES)
      assert.deepEqual(parser.parse('', language), [], language);
  });

  it('reports name columns in UTF-16 code units, like editor positions', () => {
    const text = 'const café = "é"; const naïve = () => "🙂"; function 𝒻() {}';
    const found = parser.parse(text, 'typescript');
    assert.deepEqual(
      found.map((r) => [r.name, r.nameColumn, r.nameEndColumn]),
      [
        ['naïve', text.indexOf('naïve'), text.indexOf('naïve') + 5],
        ['𝒻', text.indexOf('𝒻'), text.indexOf('𝒻') + 2],
      ],
    );
  });

  it('finds all 500 functions in a 5,000-line generated file', () => {
    const lines: string[] = [];
    for (let i = 0; i < 500; i++) {
      // Ten lines per function, alternating declarations and exported arrows.
      const head =
        i % 2 === 0
          ? `function fn${i}(a: number): number {`
          : `export const fn${i} = (a: number): number => {`;
      lines.push(
        head,
        `  const b = a * ${i};`,
        '  if (b > 10) {',
        '    return b - 1;',
        '  }',
        '  // padding',
        '  const c = b + 1;',
        '  void c;',
        '  return c;',
        i % 2 === 0 ? '}' : '};',
      );
    }
    assert.equal(lines.length, 5000);
    const found = parser.parse(lines.join('\n'), 'typescript');
    assert.equal(found.length, 500);
    found.forEach((r, i) => {
      assert.equal(r.name, `fn${i}`);
      assert.equal(r.kind, i % 2 === 0 ? 'function' : 'arrow');
      assert.equal(r.startLine, i * 10 + 1);
      assert.equal(r.endLine, i * 10 + 10);
    });
  });

  it('sorts outer before inner when functions share a start line', () => {
    const found = parser.parse(
      'class A { run() { const go = () => 1; return go(); } }',
      'typescript',
    );
    assert.deepEqual(
      found.map((r) => r.qualifiedName),
      ['A.run', 'A.run.go'],
    );
  });

  it('names object-literal methods after CommonJS exports and prototypes sensibly', () => {
    const text =
      'module.exports = { start() {} };\nFoo.prototype = { stop() {} };\nexports.run = function () {};';
    assert.deepEqual(
      parser.parse(text, 'javascript').map((r) => r.qualifiedName),
      ['start', 'Foo.stop', 'run'],
    );
  });
});

describe('FunctionParser lifecycle', () => {
  it('resolves the wasm folder from the installed package when run from source', () => {
    assert.equal(
      defaultWasmDir(),
      path.join(path.dirname(require.resolve('@vscode/tree-sitter-wasm/package.json')), 'wasm'),
    );
  });

  it('loads grammars lazily and refuses to parse before they are loaded', async () => {
    const lazy = await FunctionParser.create();
    try {
      assert.equal(lazy.isLoaded('go'), false);
      assert.throws(() => lazy.parse('package main', 'go'), /not loaded/);
      // Concurrent loads share one promise.
      await Promise.all([lazy.ensureLanguage('go'), lazy.ensureLanguage('go')]);
      assert.equal(lazy.isLoaded('go'), true);
      assert.deepEqual(
        lazy.parse('package main\n\nfunc main() {}\n', 'go').map((r) => r.name),
        ['main'],
      );
    } finally {
      lazy.dispose();
    }
    assert.throws(() => lazy.parse('', 'go'), /disposed/);
    await assert.rejects(lazy.ensureLanguage('go'), /disposed/);
  });

  it('fails clearly for a wasm folder without the runtime', async () => {
    await assert.rejects(FunctionParser.create({ wasmDir: FIXTURES }));
  });
});

describe('languageForPath', () => {
  it('maps every supported extension and nothing else', () => {
    const cases: [string, LanguageId | undefined][] = [
      ['src/a.ts', 'typescript'],
      ['src/a.mts', 'typescript'],
      ['src/a.cts', 'typescript'],
      ['src/App.tsx', 'tsx'],
      ['a.js', 'javascript'],
      ['a.mjs', 'javascript'],
      ['a.cjs', 'javascript'],
      ['View.jsx', 'javascript'],
      ['pkg/mod.py', 'python'],
      ['com/acme/A.java', 'java'],
      ['cmd/main.go', 'go'],
      ['src\\Win\\Program.cs', 'csharp'],
      ['UPPER.TS', 'typescript'],
      ['README.md', undefined],
      ['Makefile', undefined],
      ['.ts', undefined],
      ['dir.ts/file', undefined],
    ];
    for (const [file, language] of cases) assert.equal(languageForPath(file), language, file);
  });
});

describe('the build ships every grammar', () => {
  it('scripts/build.mjs copies the grammar of each language the parser knows', async () => {
    const { LANGUAGE_SPECS } = await import('../../src/core/languages');
    const build = readFileSync(path.join(__dirname, '..', '..', 'scripts', 'build.mjs'), 'utf8');
    const listed = /const GRAMMARS = \[([^\]]*)\]/.exec(build)?.[1] ?? '';
    for (const spec of Object.values(LANGUAGE_SPECS))
      assert.ok(
        listed.includes(`'${spec.grammar.replace(/^tree-sitter-|\.wasm$/g, '')}'`),
        spec.grammar,
      );
  });
});
