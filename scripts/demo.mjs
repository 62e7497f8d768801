// npm run demo: builds the extension, opens demo/service in a workbench that runs it, and starts the
// demo shop plus its traffic pointed at the extension's receiver, until Ctrl-C.
//   node scripts/demo.mjs [--port N] [--code-server] [--smoke] [--no-build]
//   --port N        receiver port (prodlens.receiver.port), default 4318
//   --no-build      use dist/ as it is (e.g. while `npm run watch` keeps it fresh)
//   --code-server   use code-server in the browser even when a `code` command is on PATH
//   --smoke         unattended check: free ports, headless Chromium, wait for a latency lens, exit 0/1
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { tsImport } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const workspace = join(root, 'demo', 'service');
const SMOKE_LENS = /p50 .* ms/;
const SMOKE_LENS_TIMEOUT_MS = 90_000;
const SMOKE_DEADLINE_MS = 5 * 60_000; // the whole smoke run, so CI never hangs

const { values: flags } = parseArgs({
  options: {
    port: { type: 'string' },
    smoke: { type: 'boolean' },
    'code-server': { type: 'boolean' },
    'no-build': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (flags.help) {
  console.log('usage: node scripts/demo.mjs [--port N] [--code-server] [--smoke] [--no-build]');
  process.exit(0);
}

// The harness is TypeScript; tsImport loads it through tsx without needing `node --import tsx`.
const harness = (file) =>
  tsImport(pathToFileURL(join(root, 'test', 'e2e', 'harness', file)).href, import.meta.url);
const { spawnGroup, stopGroup, freePort, portInUse, waitForOutput } = await harness('processes.ts');

const say = (line) => console.log(`ProdLens demo: ${line}`);

/** Prefixes each line a child prints, so the demo's own lines stay readable. */
function relay(stream, prefix, sink) {
  let partial = '';
  stream.on('data', (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop();
    for (const line of lines) sink(`${prefix} ${line}`);
  });
}

function onPath(command) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

// ---- stopping: everything started below registers here; stopped in reverse order, once ----
const stops = [];
let stopping;
function stopAll() {
  stopping ??= (async () => {
    for (const stop of stops.reverse())
      await stop().catch((err) => console.error(`ProdLens demo: while stopping: ${err.message}`));
  })();
  return stopping;
}
async function finish(code, message) {
  if (message) (code === 0 ? console.log : console.error)(message);
  await stopAll();
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    say('stopping…');
    void finish(flags.smoke ? 1 : 0);
  });
}

/** Starts a demo process in its own group; its unexpected exit ends the demo. */
function startNode(name, script, env) {
  const child = spawnGroup(process.execPath, [join(root, script)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  relay(child.stdout, `[${name}]`, console.log);
  relay(child.stderr, `[${name}]`, console.error);
  let expected = false;
  child.once('exit', (code, signal) => {
    if (!expected) void finish(1, `ProdLens demo: ${name} exited unexpectedly (${signal ?? code})`);
  });
  stops.push(async () => {
    expected = true;
    await stopGroup(child.pid, 8000); // the service flushes its telemetry on SIGTERM
  });
  return child;
}

// ---- 1. build the extension ----
if (!flags['no-build']) {
  say('building the extension…');
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], {
    cwd: root,
    encoding: 'utf8',
  });
  if (build.status !== 0) {
    console.error(
      `ProdLens demo: the extension build failed (${build.error?.message ?? `exit ${build.status}`}):`,
    );
    console.error(`${build.stdout ?? ''}${build.stderr ?? ''}`.trim());
    process.exit(1);
  }
}

// ---- 2. where the receiver listens ----
const receiverPort = flags.smoke ? await freePort() : Number(flags.port ?? 4318);
if (!Number.isInteger(receiverPort) || receiverPort <= 0 || receiverPort > 65535)
  await finish(1, `ProdLens demo: bad --port ${flags.port}`);
if (!flags.smoke && (await portInUse(receiverPort))) {
  say(
    `warning: something already listens on 127.0.0.1:${receiverPort} (another ProdLens window? an OpenTelemetry Collector?);`,
  );
  say(`the extension's receiver cannot bind it. Stop that, or pick another port with --port.`);
}
const otlpEndpoint = `http://127.0.0.1:${receiverPort}`;
const useDesktop = !flags.smoke && !flags['code-server'] && onPath('code');

// ---- 3. the workbench ----
let codeServer;
if (useDesktop) {
  if (receiverPort !== 4318)
    say(
      `note: set "prodlens.receiver.port": ${receiverPort} in the window that opens (it reads your own settings).`,
    );
  const code = spawn('code', [`--extensionDevelopmentPath=${root}`, workspace], {
    stdio: 'inherit',
  });
  const status = await new Promise((resolve) =>
    code.once('exit', resolve).once('error', () => resolve(-1)),
  );
  if (status !== 0)
    await finish(1, `ProdLens demo: \`code\` failed (${status}); try --code-server`);
} else {
  // The README's first command on a fresh machine: what code-server needs from Debian (and
  // Chromium for --smoke), then code-server itself; each script is quick when already done.
  for (const script of ['setup-system.sh', 'setup-code-server.sh']) {
    say(`setting up (${script}; quick when already done)…`);
    const setup = spawnSync('bash', [join(root, 'scripts', script)], {
      cwd: root,
      stdio: 'inherit',
    });
    if (setup.status !== 0)
      await finish(
        1,
        `ProdLens demo: scripts/${script} failed (${setup.error?.message ?? `exit ${setup.status}`}); see its output above`,
      );
  }
  const { startCodeServer } = await harness('code-server.ts');
  const logDir = join(root, 'test-results', 'demo');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, 'code-server.log');
  rmSync(logFile, { force: true });
  say('starting code-server…');
  try {
    codeServer = await startCodeServer({
      workspace,
      extensionDevPath: root,
      userSettings: { 'prodlens.receiver.port': receiverPort },
      logFile,
    });
  } catch (err) {
    await finish(1, `ProdLens demo: ${err.message}`);
  }
  stops.push(() => codeServer.stop());
}

// ---- 4. the service and its traffic ----
const service = startNode('service', 'demo/service/server.js', {
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
  ...(flags.smoke ? { DEMO_PORT: '0' } : {}),
});
let serviceUrl;
try {
  [, serviceUrl] = await waitForOutput(service, /listening on (http:\/\/\S+)/, 20_000);
} catch (err) {
  await finish(1, `ProdLens demo: the demo service did not start: ${err.message}`);
}
startNode('traffic', 'demo/traffic.js', { DEMO_URL: serviceUrl });

if (!flags.smoke) {
  if (codeServer) say(`open ${codeServer.workspaceUrl}`);
  say(
    `demo-shop at ${serviceUrl} sends traces and logs to ${otlpEndpoint}; open orders.js. Ctrl-C stops everything.`,
  );
} else {
  await smoke();
}

// ---- --smoke: the same, checked by a headless browser ----
async function smoke() {
  const watchdog = setTimeout(
    () => void finish(1, `ProdLens demo smoke: no result within ${SMOKE_DEADLINE_MS / 1000} s`),
    SMOKE_DEADLINE_MS,
  );
  watchdog.unref();
  const { openWorkbench, openFile, waitForLens, screenshot, closeWorkbench } =
    await harness('workbench.ts');
  let page;
  stops.push(async () => page && (await closeWorkbench(page)));
  let step = 'opening the workbench';
  try {
    page = await openWorkbench(codeServer.url, workspace);
    step = 'opening orders.js';
    await openFile(page, 'orders.js');
    step = `waiting ${SMOKE_LENS_TIMEOUT_MS / 1000} s for a lens matching ${SMOKE_LENS}`;
    const text = await waitForLens(page, SMOKE_LENS, SMOKE_LENS_TIMEOUT_MS);
    await screenshot(page, 'demo-smoke');
    await finish(0, `demo smoke: lens "${text}"`);
  } catch (err) {
    if (page) await screenshot(page, 'demo-smoke-failed').catch(() => undefined);
    const logs = [
      `--- code-server log (${codeServer.logFile}):`,
      codeServer.logTail(40),
      '--- extension host logs:',
      codeServer.extensionHostLogTail(40) || '(none)',
    ].join('\n');
    await finish(1, `demo smoke: FAILED while ${step}: ${err.message.split('\n')[0]}\n${logs}`);
  }
}
