// The CLI's reading of prodlens.sources from DIR/.vscode/settings.json: editor-only kinds (sentry,
// loki) are left out without a warning, a token in the file is still called out, and the path
// mappings are read as the editor reads them.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSourceSetup, workspaceMappingSettings } from '../../src/cli/source-flags';

test('CLI settings: sentry, loki and trace backend entries are the editor\'s (skipped quietly), a token in the file is still warned about, path mappings are read', () => {
  const ws = mkdtempSync(join(tmpdir(), 'prodlens-flags-'));
  try {
    mkdirSync(join(ws, '.vscode'));
    const settings = {
      'prodlens.sources': [
        { kind: 'prometheus', url: 'http://prom:9090', environment: 'prod' },
        { kind: 'sentry', url: 'https://sentry.io', environment: 'prod', organization: 'acme', project: 'shop', token: 'sntrys_do_not_print' },
        { kind: 'loki', url: 'http://loki:3100', query: '{service_name="shop"}' },
        { kind: 'tempo', url: 'http://tempo:3200' },
        { kind: 'graphite', url: 'http://graphite:8080' },
      ],
      'prodlens.pathMappings': [{ from: '/app/', to: 'services/api/' }, { from: 42 }],
      'prodlens.exclude': ['vendor', 7],
    };
    writeFileSync(join(ws, '.vscode', 'settings.json'), JSON.stringify(settings));
    const setup = loadSourceSetup({ workspace: ws, flags: [], env: {} });
    assert.deepEqual(setup.sources.map((s) => [s.kind, s.url, s.environment]), [['prometheus', 'http://prom:9090', 'prod']]);
    assert.equal(setup.warnings.length, 2, setup.warnings.join('\n'));
    assert.match(setup.warnings[0]!, /prodlens\.sources\[1\] has a token in settings\.json; it is ignored: set PRODLENS_SENTRY_TOKEN/);
    assert.ok(!setup.warnings.join('\n').includes('sntrys_do_not_print'));
    assert.match(setup.warnings[1]!, /prodlens\.sources\[4\] is skipped/);
    const m = workspaceMappingSettings(ws);
    assert.equal(m.pathRules.length, 1);
    assert.deepEqual(m.excludeDirs, ['vendor']);
    assert.deepEqual(workspaceMappingSettings(join(ws, 'missing')), { pathRules: [], excludeDirs: [] });
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});
