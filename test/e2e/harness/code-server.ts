// A real VS Code workbench for tests and the demo: code-server (installed by
// scripts/setup-code-server.sh) with a throwaway profile and the extension under test symlinked in.
// Recipe and the reasons behind each flag: the team's e2e reference (shared/reference/e2e.md), section 1.
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { repoRoot } from './paths';
import { freePort, killGroup, spawnGroup, stopGroup } from './processes';

export interface CodeServerOptions {
  /** Folder opened in the workbench, or a .code-workspace file (a multi-root workspace). */
  workspace: string;
  /** Extension folder (the repo root): symlinked into the extensions dir as publisher.name-version. */
  extensionDevPath: string;
  /** Merged over the defaults below (startupEditor none, telemetry off, no git parent-folder prompt) into User/settings.json. */
  userSettings?: Record<string, unknown>;
  /** 0 or undefined: a free port. */
  port?: number;
  /** code-server's stdout+stderr; default a file in the temp dir (deleted by stop()). */
  logFile?: string;
  /** How long to wait for the first HTTP answer; default 60 s. */
  startTimeoutMs?: number;
  /**
   * A profile folder (user data, extensions) to use and keep, so a second code-server starts where
   * the first stopped (restart tests); default a throwaway one, deleted by stop().
   */
  profileDir?: string;
}

export interface CodeServer {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** <url>/?folder=<workspace>: the workbench with the workspace open. */
  workspaceUrl: string;
  userDataDir: string;
  extensionsDir: string;
  logFile: string;
  /** Last lines of code-server's own log. */
  logTail(lines?: number): string;
  /** Last lines of each extension-host log (activation errors, the extension's output channels). */
  extensionHostLogTail(lines?: number): string;
  /** Kills the whole process group (SIGTERM, SIGKILL after a grace period) and deletes temp dirs. */
  stop(): Promise<void>;
  /** SIGKILLs the whole process group at once, as a crash would; keeps the profile. */
  kill(): Promise<void>;
}

/** Where scripts/setup-code-server.sh installs it (PRODLENS_CODE_SERVER_DIR overrides, as there). */
export function codeServerBin(): string {
  const cache = process.env.PRODLENS_CODE_SERVER_DIR ?? join(repoRoot, '.cache', 'code-server');
  return join(cache, 'node_modules', '.bin', 'code-server');
}

function tail(text: string, lines: number): string {
  return text
    .split('\n')
    .slice(-lines - 1)
    .join('\n');
}

function readTail(file: string, lines: number): string {
  try {
    return tail(readFileSync(file, 'utf8'), lines);
  } catch {
    return '';
  }
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile());
}

/** The env without variables that make code-server hand off to an enclosing VS Code instead of starting. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env))
    if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') delete env[key];
  return env;
}

async function waitForHttp(
  url: string,
  deadline: number,
  exited: () => string | undefined,
): Promise<void> {
  for (;;) {
    const exit = exited();
    if (exit) throw new Error(`code-server exited (${exit}) before answering`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`code-server did not answer on ${url} in time`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const bin = codeServerBin();
  if (!existsSync(bin))
    throw new Error(`code-server is not installed at ${bin}; run scripts/setup-code-server.sh`);
  const workspace = resolve(opts.workspace);
  const extensionDevPath = resolve(opts.extensionDevPath);
  const manifest = JSON.parse(readFileSync(join(extensionDevPath, 'package.json'), 'utf8')) as {
    publisher: string;
    name: string;
    version: string;
  };

  const root = opts.profileDir ?? mkdtempSync(join(tmpdir(), 'prodlens-code-server-'));
  const reused = existsSync(join(root, 'ext'));
  const userDataDir = join(root, 'user');
  const extensionsDir = join(root, 'ext');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  // Without startupEditor=none a Welcome walkthrough takes focus and keyboard shortcuts go nowhere;
  // telemetry off keeps failed lookups of Microsoft's telemetry host out of the extension-host log;
  // workspaces inside this repo would otherwise raise a "git repository in parent folder" toast.
  const settings = {
    'workbench.startupEditor': 'none',
    'telemetry.telemetryLevel': 'off',
    'git.openRepositoryInParentFolders': 'never',
    ...opts.userSettings,
  };
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  if (!reused)
    symlinkSync(
      extensionDevPath,
      join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`),
      'dir',
    );
  // Its own config file, so code-server never writes one into the user's home.
  const configFile = join(root, 'config.yaml');
  writeFileSync(configFile, 'auth: none\n');

  const port = opts.port || (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const logFile = opts.logFile ? resolve(opts.logFile) : join(root, `code-server-${port}.log`);
  const logFd = openSync(logFile, 'a');
  const args = [
    bin,
    '--config',
    configFile,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    workspace,
  ];
  // Run with this Node (code-server 4.100 needs Node 20; `#!/usr/bin/env node` might find another).
  // A multi-root workspace is a .code-workspace file: code-server runs beside it.
  const isFile = workspace.endsWith('.code-workspace');
  const child = spawnGroup(process.execPath, args, {
    cwd: isFile ? dirname(workspace) : workspace,
    env: childEnv(),
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd); // the child holds its own copy
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = String(signal ?? code)));
  child.once('error', (err) => (exit = err.message));
  const pid = child.pid;

  let stopped: Promise<void> | undefined;
  const server: CodeServer = {
    url,
    port,
    // Slashes left readable: this URL is printed for people to open.
    workspaceUrl: `${url}/?${isFile ? 'workspace' : 'folder'}=${encodeURIComponent(workspace).replace(/%2F/g, '/')}`,
    userDataDir,
    extensionsDir,
    logFile,
    logTail: (lines = 40) => readTail(logFile, lines),
    extensionHostLogTail: (lines = 40) =>
      filesUnder(join(userDataDir, 'logs'))
        .filter((f) => /exthost/i.test(f) && f.endsWith('.log'))
        .map((f) => `--- ${f.slice(userDataDir.length + 1)}\n${readTail(f, lines)}`)
        .join('\n'),
    stop() {
      stopped ??= (async () => {
        if (pid !== undefined) await stopGroup(pid);
        if (!opts.profileDir) rmSync(root, { recursive: true, force: true, maxRetries: 3 });
      })();
      return stopped;
    },
    async kill() {
      if (pid !== undefined) await killGroup(pid);
      stopped = Promise.resolve();
    },
  };

  try {
    await waitForHttp(url, Date.now() + (opts.startTimeoutMs ?? 60_000), () => exit);
  } catch (err) {
    const log = server.logTail(30);
    await server.stop();
    throw new Error(`${(err as Error).message}\n--- last lines of the code-server log:\n${log}`);
  }
  return server;
}
