// A loopback fake backend for recorded-response contract tests: answers each request with the
// route's reply (a fixture file, a literal body, a status) and records what was asked.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';

export interface Reply {
  status?: number;
  fixture?: string;
  body?: string;
  type?: string;
}

export interface FakeBackends {
  fake(route: (url: URL, req: IncomingMessage) => Reply): Promise<{ url: string; asked: URL[] }>;
  close(): void;
}

/** Fakes whose fixtures live in test/fixtures/backends/<kind>; call close() in after(). */
export function fakeBackends(kind: string): FakeBackends {
  const fixtures = join(__dirname, '..', 'fixtures', 'backends', kind);
  const servers: Server[] = [];
  return {
    async fake(route) {
      const asked: URL[] = [];
      const server = createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://fake');
        asked.push(url);
        const r = route(url, req);
        const body = r.fixture ? readFileSync(join(fixtures, r.fixture)) : (r.body ?? '');
        res.writeHead(r.status ?? 200, { 'content-type': r.type ?? 'application/json' });
        res.end(body);
      });
      servers.push(server);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      const addr = server.address();
      assert.ok(addr && typeof addr === 'object');
      return { url: `http://127.0.0.1:${addr.port}`, asked };
    },
    close() {
      for (const s of servers) s.closeAllConnections();
      for (const s of servers) s.close();
    },
  };
}
