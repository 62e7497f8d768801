// `prodlens run` on a plain Express service with no OpenTelemetry code (test/fixtures/plain-express):
// it starts under the real auto-instrumentation and the code-origin preload, exporting to a real
// `prodlens serve`; requests to it come back from `report --from` on the handlers, mapped by code
// origin (code.file.path+line, exact) — including the one whose route wraps it in `safe()`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ReportJson } from '../../src/cli/report-rows';
import { CLI, Proc } from './corpus/run';

const APP = join(__dirname, '..', 'fixtures', 'plain-express');
const procs: Proc[] = [];
after(async () => {
  for (const p of procs.reverse()) await p.stop();
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function report(url: string): Promise<ReportJson> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [CLI, 'report', '--workspace', APP, '--from', url, '--json', '--window', '15m'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as ReportJson)
        : reject(new Error(`report exited ${code}`)),
    );
  });
}

test(
  'prodlens run: a plain Express service shows up on its handlers, mapped by code origin',
  { timeout: 90_000 },
  async () => {
    // A data folder of its own: serve's default one (per workspace) may hold an earlier run's spans.
    const dataDir = mkdtempSync(join(tmpdir(), 'prodlens-run-'));
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    const serve = new Proc(
      spawn(
        process.execPath,
        [CLI, 'serve', '--workspace', APP, '--port', '0', '--data-dir', dataDir],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      ),
    );
    procs.push(serve);
    const url = (await serve.waitFor(/^listening on http:\/\//, 'serve to listen', 30_000))
      .replace(/^listening on /, '')
      .trim();
    const port = await freePort();
    const app = new Proc(
      spawn(
        process.execPath,
        [CLI, 'run', '--workspace', APP, '--endpoint', url, '--', process.execPath, 'server.js'],
        { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    procs.push(app);
    await app.waitFor(/shop listening on/, 'the shop to listen', 30_000);
    assert.match(app.text(), /as service plain-express-shop, exporting to http:\/\/127\.0\.0\.1:/);

    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 3; i++) {
      assert.equal((await fetch(`${base}/api/orders`)).status, 200);
      assert.equal((await fetch(`${base}/api/orders/1`)).status, 200);
      assert.equal((await fetch(`${base}/api/orders/9`)).status, 404);
      assert.equal(
        (
          await fetch(`${base}/api/orders`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"total":5}',
          })
        ).status,
        201,
      );
      assert.equal((await fetch(`${base}/health`)).status, 200);
    }
    const want = new Map([
      ['listOrders', 3],
      ['getOrder', 6],
      ['createOrder', 3],
      ['GET /health', 3],
    ]);
    let rows: ReportJson['functions'] = [];
    const end = Date.now() + 30_000;
    for (;;) {
      rows = (await report(url)).functions;
      if (
        [...want].every(([fn, n]) => rows.some((r) => r.function === fn && r.count >= n)) ||
        Date.now() > end
      )
        break;
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const [fn, n] of want) {
      const row = rows.find((r) => r.function === fn);
      assert.ok(row, `${fn} is in the report: ${rows.map((r) => r.function).join(', ')}`);
      assert.equal(row.count, n, `${fn} counts its own requests`);
      assert.equal(row.mappedBy, 'code.file.path+line', `${fn} mapped by code origin`);
      assert.equal(row.confidence, 'exact');
      assert.equal(row.file, fn === 'GET /health' ? 'server.js' : 'handlers/orders.js');
    }
    // Stopping `prodlens run` stops the service too (the auto-instrumentation alone would keep it up on SIGTERM).
    await app.stop();
    const closed = await fetch(`${base}/health`).then(
      () => false,
      () => true,
    );
    assert.ok(closed, 'the service stopped with prodlens run');
  },
);
