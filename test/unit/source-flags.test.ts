// The CLI's reading of prodlens.sources from DIR/.vscode/settings.json: editor-only kinds (sentry,
// loki) are left out without a warning, a token in the file is still called out, and the path
// mappings are read as the editor reads them.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  loadSourceSetup,
  splitReceiverSources,
  unusedSourceWarnings,
  workspaceMappingSettings,
} from '../../src/cli/source-flags';

test('CLI settings: every known kind is read (each command uses its own), a token in the file is warned about, an unknown kind skipped, path mappings are read', () => {
  const ws = mkdtempSync(join(tmpdir(), 'prodlens-flags-'));
  try {
    mkdirSync(join(ws, '.vscode'));
    const settings = {
      'prodlens.sources': [
        { kind: 'prometheus', url: 'http://prom:9090', environment: 'prod' },
        {
          kind: 'sentry',
          url: 'https://sentry.io',
          environment: 'prod',
          organization: 'acme',
          project: 'shop',
          token: 'sntrys_do_not_print',
        },
        { kind: 'loki', url: 'http://loki:3100', query: '{service_name="shop"}' },
        { kind: 'tempo', url: 'http://tempo:3200' },
        { kind: 'graphite', url: 'http://graphite:8080' },
      ],
      'prodlens.pathMappings': [{ from: '/app/', to: 'services/api/' }, { from: 42 }],
      'prodlens.exclude': ['vendor', 7],
    };
    writeFileSync(join(ws, '.vscode', 'settings.json'), JSON.stringify(settings));
    const setup = loadSourceSetup({ workspace: ws, flags: [], env: {} });
    assert.deepEqual(
      setup.sources.map((s) => [s.kind, s.url, s.environment]),
      [
        ['prometheus', 'http://prom:9090', 'prod'],
        ['sentry', 'https://sentry.io', 'prod'],
        ['loki', 'http://loki:3100', ''],
        ['tempo', 'http://tempo:3200', ''],
      ],
    );
    assert.equal(setup.warnings.length, 2, setup.warnings.join('\n'));
    assert.match(
      setup.warnings[0]!,
      /prodlens\.sources\[1\] has a token in settings\.json; it is ignored: set PRODLENS_SENTRY_TOKEN/,
    );
    assert.ok(!setup.warnings.join('\n').includes('sntrys_do_not_print'));
    assert.match(setup.warnings[1]!, /prodlens\.sources\[4\] is skipped/);
    const m = workspaceMappingSettings(ws);
    assert.equal(m.pathRules.length, 1);
    assert.deepEqual(m.excludeDirs, ['vendor']);
    assert.deepEqual(workspaceMappingSettings(join(ws, 'missing')), {
      pathRules: [],
      excludeDirs: [],
    });
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});

test('--source takes every kind; prodlens=URL is the receiver; commands name the sources they do not read', () => {
  assert.deepEqual(
    splitReceiverSources(['prometheus=http://p:9090', 'prodlens=http://127.0.0.1:4318']),
    { receiver: 'http://127.0.0.1:4318', rest: ['prometheus=http://p:9090'] },
  );
  assert.throws(() => splitReceiverSources(['prodlens=ftp://x']), /expected an http/);
  const setup = loadSourceSetup({
    workspace: tmpdir(),
    flags: ['tempo@prod=http://tempo:3200', 'prometheus=http://p:9090'],
    env: {},
  });
  assert.deepEqual(
    setup.sources.map((s) => s.kind),
    ['tempo', 'prometheus'],
  );
  const w = unusedSourceWarnings('report', setup.sources, ['prometheus'], 'per-function numbers');
  assert.deepEqual(w, [
    'report reads per-function numbers; the tempo source (http://tempo:3200) is for the editor (traces, logs and errors on the code) and is not used here',
  ]);
  assert.throws(
    () => loadSourceSetup({ workspace: tmpdir(), flags: ['graphite=http://g'], env: {} }),
    /KIND one of prometheus, alertmanager, sentry, loki, tempo, jaeger, zipkin, prodlens/,
  );
});

test('settings.json is read as VS Code reads it (JSONC): comments, trailing commas, and commas inside strings kept', async () => {
  const { parseJsonc } = await import('../../src/cli/source-flags');
  const text = `{
    // a comment with "quotes" and a URL http://x
    "prodlens.sources": [{ "kind": "prometheus", "url": "http://prom:9090/*not a comment*/", "matchers": "{job=\\"a\\",}", },],
    /* block */ "prodlens.window": "1h",
  }`;
  assert.deepEqual(parseJsonc(text), {
    'prodlens.sources': [
      { kind: 'prometheus', url: 'http://prom:9090/*not a comment*/', matchers: '{job="a",}' },
    ],
    'prodlens.window': '1h',
  });
  assert.throws(() => parseJsonc('{ "a": 1,, }'), /ValueExpected|PropertyNameExpected|at line 1/);
});
