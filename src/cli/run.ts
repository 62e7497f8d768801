// `prodlens run`: the CLI face of "Run with Telemetry" — runs a service's own start command with
// OpenTelemetry pointed at a ProdLens receiver (`prodlens serve`, or the editor's), no code change.
// Node services get the auto-instrumentation and the code-origin preload through NODE_OPTIONS;
// other runtimes get the OTEL_* variables (the agent is theirs to load, as the README says).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { headCommit } from '../core/impact/git';
import {
  detectRuntimes,
  installAgentCommand,
  nodeEnv,
  otelEnv,
  packageManager,
  readPackage,
  resolveNodeAgent,
  serviceNameFor,
} from '../core/run/telemetry-env';
import { CliError } from './errors';
import { workspaceDir } from './workspace-arg';

export const RUN_USAGE = `usage: prodlens run --workspace DIR [--endpoint http://127.0.0.1:4318] [--service NAME] [--no-code-origin] -- COMMAND [ARG...]
runs COMMAND in DIR with OpenTelemetry exporting to the endpoint (OTEL_* set: endpoint, http/protobuf,
service name, deployment.environment.name=local, the git revision as vcs.ref.head.revision). A Node
service (package.json) also gets NODE_OPTIONS loading @opentelemetry/auto-instrumentations-node from DIR
and ProdLens's code-origin preload, which records each route handler's file and line on its server spans.`;

/** The preload beside this bundle (dist/cli.js → dist/preload/code-origin.js). */
const CODE_ORIGIN = join(__dirname, 'preload', 'code-origin.js');
const STOP_GRACE_MS = 2_000;

export async function runWithTelemetry(args: string[]): Promise<number> {
  const dash = args.indexOf('--');
  const own = dash >= 0 ? args.slice(0, dash) : args;
  const command = dash >= 0 ? args.slice(dash + 1) : [];
  const { values } = parseArgs({
    args: own,
    options: {
      workspace: { type: 'string' },
      endpoint: { type: 'string' },
      service: { type: 'string' },
      'no-code-origin': { type: 'boolean' },
    },
    strict: true,
  });
  const dir = workspaceDir(values.workspace, 'run');
  if (command.length === 0)
    throw new CliError(
      'run: give the command after --, e.g. prodlens run --workspace . -- npm start',
      2,
    );
  const endpoint = values.endpoint ?? 'http://127.0.0.1:4318';
  if (!/^https?:\/\//.test(endpoint))
    throw new CliError(`--endpoint ${endpoint}: expected an http:// or https:// URL`, 2);
  const pkg = readPackage(dir);
  const input = {
    endpoint,
    serviceName: values.service ?? serviceNameFor(basename(dir), pkg),
    base: process.env,
    ...(await revision(dir)),
  };
  let env: Record<string, string>;
  if (detectRuntimes(readdirSync(dir)).includes('node')) {
    const register = resolveNodeAgent(dir);
    if (!register)
      throw new CliError(
        `run: ${dir} lacks @opentelemetry/auto-instrumentations-node; add it with: ${installAgentCommand(packageManager(dir))}`,
        2,
      );
    env = nodeEnv({
      ...input,
      register,
      ...(values['no-code-origin'] ? {} : { codeOrigin: CODE_ORIGIN }),
    });
  } else {
    env = otelEnv(input);
  }
  process.stderr.write(
    `prodlens: running ${command.join(' ')} as service ${env.OTEL_SERVICE_NAME}, exporting to ${endpoint}\n`,
  );
  const child = spawn(command[0]!, command.slice(1), {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  // Ctrl+C and a terminating parent reach the service; its exit code is ours. The auto-instrumentation
  // handles SIGTERM by flushing and then keeps running, so a service that outlives the grace period is killed.
  const forward = (sig: NodeJS.Signals) => {
    child.kill(sig);
    setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS).unref();
  };
  process.on('SIGINT', forward).on('SIGTERM', forward);
  return new Promise((resolve, reject) => {
    child.once('error', (e) =>
      reject(new CliError(`run: could not start ${command[0]}: ${e.message}`, 1)),
    );
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)));
  });
}

async function revision(dir: string): Promise<{ revision?: string }> {
  const rev = await headCommit(dir);
  return rev ? { revision: rev } : {};
}
