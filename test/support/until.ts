// The tests' one polling helper, for a condition that no awaitable event announces: a line in
// another process's output or log, a file another process writes, a server that starts answering,
// a count that a backend reaches. Where an event exists (a promise, an 'exit', a 'close', a DOM
// event), await that instead.

/**
 * Checks `probe` every `intervalMs` until it returns something other than undefined or false, and
 * resolves with that value (true for a plain condition). Rejects after `timeoutMs` with
 * "timed out after N ms waiting for WHAT"; `what` may be a function, called then, to say what was
 * last seen. A probe that throws rejects at once: throw when waiting longer cannot help (the
 * process died), and catch inside the probe what only means "not yet" (a refused connection).
 */
export async function until<T>(
  what: string | (() => string),
  timeoutMs: number,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  intervalMs = 50,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
