// The soak's flapping backend: a real Prometheus (Debian's binary, as the interop tests run it)
// on a fixed loopback port, scraping the load's span metrics, that the soak kills outright and
// starts again on the same port and data folder, as a crashed and restarted server would be.
// It also tallies the CPU each run of it used, so the soak can say what else loaded the machine.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSecondsOf } from './soak-host';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function prometheusInstalled(): boolean {
  return spawnSync('prometheus', ['--version'], { encoding: 'utf8' }).status === 0;
}

export class FlappingPrometheus {
  private proc: ChildProcess | undefined;
  private tail = '';
  /** CPU seconds of the runs already stopped. */
  private cpuDone = 0;

  private constructor(
    private readonly dir: string,
    private readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get up(): boolean {
    return this.proc !== undefined;
  }

  /** CPU seconds used by every run so far. */
  get cpuSeconds(): number {
    return this.cpuDone + (this.proc?.pid ? cpuSecondsOf(this.proc.pid) : 0);
  }

  /** Starts Prometheus scraping `target` (host:port) every `scrapeSeconds`; resolves when ready. */
  static async start(target: string, scrapeSeconds: number): Promise<FlappingPrometheus> {
    const dir = mkdtempSync(join(tmpdir(), 'prodlens-soak-prometheus-'));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        `global: { scrape_interval: ${scrapeSeconds}s, evaluation_interval: ${scrapeSeconds}s }`,
        'rule_files: [rules.yml]',
        'scrape_configs:',
        `  - { job_name: soak-shop, static_configs: [{ targets: ['${target}'] }] }`,
        '',
      ].join('\n'),
    );
    // One alerting rule that fires while the shop has errors, so the alerts feed has an answer.
    writeFileSync(
      join(dir, 'rules.yml'),
      [
        'groups:',
        '  - name: soak',
        '    rules:',
        '      - alert: SoakShopErrors',
        '        expr: sum(rate(traces_span_metrics_calls_total{status_code="STATUS_CODE_ERROR"}[1m])) > 0',
        '        labels: { severity: warning }',
        '        annotations: { summary: soak-shop answers errors }',
        '',
      ].join('\n'),
    );
    const p = new FlappingPrometheus(dir, await freePort());
    try {
      await p.restart();
    } catch (e) {
      await p.stop();
      throw e;
    }
    return p;
  }

  /** Kills it (SIGKILL: no shutdown, as a crash); resolves once it is gone. */
  async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.pid === undefined) return;
    this.proc = undefined;
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    this.cpuDone += cpuSecondsOf(proc.pid);
    const gone = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGKILL');
    await gone;
  }

  /** Starts it again on the same port and data; resolves when it answers as ready, with the ms it took. */
  async restart(): Promise<number> {
    const started = performance.now();
    // The port was just freed by a kill: a start that loses the race for it is tried again.
    for (let attempt = 0; ; attempt++) {
      const proc = this.spawn();
      if (await this.ready(proc)) return performance.now() - started;
      await this.kill();
      if (attempt >= 4)
        throw new Error(`Prometheus did not start on port ${this.port}:\n${this.tail}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private spawn(): ChildProcess {
    const proc = spawn(
      'prometheus',
      [
        `--config.file=${join(this.dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    proc.stderr!.on('data', (b: Buffer) => (this.tail = (this.tail + b.toString()).slice(-3000)));
    this.proc = proc;
    return proc;
  }

  /** Whether `proc` answers /-/ready within 60 s (false when it exits first). */
  private async ready(proc: ChildProcess): Promise<boolean> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null || proc.signalCode !== null) return false;
      try {
        const res = await fetch(`${this.url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
        await res.arrayBuffer();
        if (res.ok) return true;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }
}
