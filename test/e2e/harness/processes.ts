// Child processes that leave nothing behind: each runs as the leader of its own process group, so
// everything it forks (code-server's extension host and watchers, for one) is stopped with it.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createServer } from 'node:net';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** True while any process of the group led by `pid` is alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (err) {
    // EPERM: the group exists but is not ours to signal; still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

const exitHooks = new Map<number, () => void>();

/**
 * Spawns `command` detached, as the leader of a new process group. Unless `keepOnExit`, the group
 * is also SIGKILLed if this process exits without calling stopGroup (a failed test, a crash).
 */
export function spawnGroup(
  command: string,
  args: readonly string[],
  options: SpawnOptions & { keepOnExit?: boolean } = {},
): ChildProcess {
  const { keepOnExit, ...spawnOptions } = options;
  const child = spawn(command, args, { ...spawnOptions, detached: true });
  const pid = child.pid;
  if (pid !== undefined && !keepOnExit) {
    const hook = () => signalGroup(pid, 'SIGKILL');
    exitHooks.set(pid, hook);
    process.on('exit', hook);
  }
  return child;
}

/**
 * Stops the group led by `pid`: SIGTERM, then SIGKILL once `graceMs` has passed. Resolves when no
 * process of the group is left (or after a further 3 s, which would mean an unkillable process).
 */
export async function stopGroup(pid: number, graceMs = 5000): Promise<void> {
  const hook = exitHooks.get(pid);
  if (hook) {
    process.off('exit', hook);
    exitHooks.delete(pid);
  }
  signalGroup(pid, 'SIGTERM');
  const killAt = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < killAt) await sleep(100);
  if (!groupAlive(pid)) return;
  signalGroup(pid, 'SIGKILL');
  const giveUpAt = Date.now() + 3000;
  while (groupAlive(pid) && Date.now() < giveUpAt) await sleep(50);
}

/** Kills the group led by `pid` at once (SIGKILL: no process gets to clean up), as a crash would. */
export async function killGroup(pid: number): Promise<void> {
  const hook = exitHooks.get(pid);
  if (hook) {
    process.off('exit', hook);
    exitHooks.delete(pid);
  }
  signalGroup(pid, 'SIGKILL');
  const giveUpAt = Date.now() + 3000;
  while (groupAlive(pid) && Date.now() < giveUpAt) await sleep(50);
}

/** A TCP port that was free a moment ago on `host` (the usual small race applies). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True when something already accepts connections on host:port. */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(true));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}

/**
 * Resolves with the first match of `pattern` in the child's stdout (which must be piped), rejects
 * when the child exits first or `timeoutMs` passes. Everything read is also passed to `echo`.
 */
export function waitForOutput(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs: number,
  echo?: (chunk: string) => void,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const done = (fn: () => void) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      fn();
    };
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      echo?.(text);
      seen += text;
      const match = pattern.exec(seen);
      if (match) done(() => resolve(match));
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      done(() =>
        reject(
          new Error(
            `exited (${signal ?? code}) before printing ${pattern}; output:\n${seen.slice(-2000)}`,
          ),
        ),
      );
    const timer = setTimeout(
      () =>
        done(() =>
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${seen.slice(-2000)}`)),
        ),
      timeoutMs,
    );
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}
