// What "Run with telemetry" sets up, without VS Code: runtime detection, the scripts offered, the
// OTEL_* environment and NODE_OPTIONS (appended to, quoted when paths have spaces), and where the
// folder's Node agent is.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  detectRuntimes,
  installAgentCommand,
  nodeEnv,
  nodeOptionRequire,
  otelEnv,
  packageManager,
  readPackage,
  resolveNodeAgent,
  serviceNameFor,
  serviceScripts,
} from '../../src/core/run/telemetry-env';

const tmp = mkdtempSync(join(tmpdir(), 'prodlens-run-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('run with telemetry: the environment', () => {
  test('runtimes come from the marker files a folder holds', () => {
    assert.deepEqual(detectRuntimes(['package.json', 'src']), ['node']);
    assert.deepEqual(detectRuntimes(['manage.py', 'requirements.txt']), ['python']);
    assert.deepEqual(detectRuntimes(['pom.xml']), ['java']);
    assert.deepEqual(detectRuntimes(['go.mod', 'main.go']), ['go']);
    assert.deepEqual(detectRuntimes(['Shop.csproj']), ['dotnet']);
    assert.deepEqual(detectRuntimes(['package.json', 'pyproject.toml']), ['node', 'python']);
    assert.deepEqual(detectRuntimes(['README.md']), []);
  });

  test('service scripts: start first, build/test/lint and pre/post hooks left out', () => {
    assert.deepEqual(
      serviceScripts({
        test: 'node --test',
        build: 'tsc',
        dev: 'nodemon app.js',
        start: 'node app.js',
        prestart: 'tsc',
        'start:prod': 'node dist/main',
        lint: 'eslint .',
        seed: 'node seed.js',
      }),
      ['start', 'dev', 'start:prod', 'seed'],
    );
  });

  test('OTEL_* variables: endpoint, protocol, service, local environment and the git revision', () => {
    const env = otelEnv({
      endpoint: 'http://127.0.0.1:4318',
      serviceName: 'shop',
      revision: 'abc123',
      base: {},
    });
    assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://127.0.0.1:4318');
    assert.equal(env.OTEL_EXPORTER_OTLP_PROTOCOL, 'http/protobuf');
    assert.equal(env.OTEL_SERVICE_NAME, 'shop');
    assert.equal(
      env.OTEL_RESOURCE_ATTRIBUTES,
      'deployment.environment.name=local,vcs.ref.head.revision=abc123',
    );
    // The user's own resource attributes are kept.
    assert.equal(
      otelEnv({ endpoint: 'x', serviceName: 's', base: { OTEL_RESOURCE_ATTRIBUTES: 'team=pay' } })
        .OTEL_RESOURCE_ATTRIBUTES,
      'team=pay,deployment.environment.name=local',
    );
  });

  test('NODE_OPTIONS loads the agent then the code-origin preload, after what was there; paths with spaces are quoted', () => {
    const env = nodeEnv({
      endpoint: 'x',
      serviceName: 's',
      register: '/w/node_modules/a/register.js',
      codeOrigin: '/ext dir/preload/code-origin.js',
      base: { NODE_OPTIONS: '--max-old-space-size=4096' },
    });
    assert.equal(
      env.NODE_OPTIONS,
      '--max-old-space-size=4096 --require /w/node_modules/a/register.js --require "/ext dir/preload/code-origin.js"',
    );
    assert.equal(
      nodeOptionRequire('C:\\Program Files\\x.js'),
      '--require "C:\\\\Program Files\\\\x.js"',
    );
  });

  test('service name from package.json (scope dropped), else the folder', () => {
    assert.equal(serviceNameFor('api', { name: '@acme/orders-api', scripts: {} }), 'orders-api');
    assert.equal(serviceNameFor('my shop', undefined), 'my-shop');
  });

  test("the folder's package manager, package.json and Node agent", () => {
    const dir = join(tmp, 'svc');
    mkdirSync(join(dir, 'node_modules', '@opentelemetry', 'auto-instrumentations-node'), {
      recursive: true,
    });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'svc', main: 'app.js', scripts: { start: 'node app.js' } }),
    );
    assert.equal(packageManager(dir), 'npm');
    assert.equal(
      installAgentCommand('npm'),
      'npm install --save-dev @opentelemetry/auto-instrumentations-node @opentelemetry/api',
    );
    assert.deepEqual(readPackage(dir), {
      name: 'svc',
      main: 'app.js',
      scripts: { start: 'node app.js' },
    });
    assert.equal(
      resolveNodeAgent(dir),
      undefined,
      'a package folder without its register module is not an agent',
    );
    const pkgDir = join(dir, 'node_modules', '@opentelemetry', 'auto-instrumentations-node');
    writeFileSync(
      join(pkgDir, 'package.json'),
      JSON.stringify({
        name: '@opentelemetry/auto-instrumentations-node',
        exports: { './register': './register.js' },
      }),
    );
    writeFileSync(join(pkgDir, 'register.js'), '');
    assert.equal(resolveNodeAgent(dir), join(pkgDir, 'register.js'));
    writeFileSync(join(dir, 'pnpm-lock.yaml'), '');
    assert.equal(packageManager(dir), 'pnpm');
    assert.equal(readPackage(join(tmp, 'nowhere')), undefined);
  });
});
