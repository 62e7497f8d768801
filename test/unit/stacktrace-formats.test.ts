// Format tests (NOT captured): .NET and Kotlin are not installed here, and Go, Ruby and PHP only by
// npm run bench:mapping (their captured output is scored in mapping-accuracy.test.ts), so their
// parsers are checked against hand-written traces that follow the formats documented in
// shared/reference/protocols.md §3 (and the runtimes' docs cited there).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { createWorkspaceEngine } from '../../src/core/engine/create';
import { parseStackTrace } from '../../src/core/stacktrace/parse';
import { FrameResolution, StackResolver } from '../../src/core/stacktrace/resolve';

const ws = mkdtempSync(join(tmpdir(), 'prodlens-formats-'));
let resolver: StackResolver;

const GO = `package main

type Server struct{}

func (s *Server) handle(id string) {
	go func() {
		panic("boom " + id)
	}()
}

func main() {
	s := &Server{}
	s.handle("A1")
}
`;

const CS = `namespace Acme.Orders;

public class OrderService
{
    public string Load(string id)
    {
        try
        {
            return Read(id);
        }
        catch (System.IO.IOException e)
        {
            throw new System.InvalidOperationException("order not found", e);
        }
    }

    private string Read(string id)
    {
        throw new System.IO.IOException("eof");
    }

    public async System.Threading.Tasks.Task<string> LoadAsync(string id)
    {
        await System.Threading.Tasks.Task.Yield();
        return Load(id);
    }
}
`;

before(async () => {
  const write = (rel: string, text: string) => {
    mkdirSync(dirname(join(ws, rel)), { recursive: true });
    writeFileSync(join(ws, rel), text);
  };
  write('cmd/app/server.go', GO);
  write('src/Orders/OrderService.cs', CS);
  const { engine } = await createWorkspaceEngine(ws);
  // Ruby, PHP and Kotlin files are not listed by the workspace scan (no function parser for them);
  // added by hand so path resolution can be checked: they resolve to a file and line, no function.
  for (const f of [
    'app/models/order.rb',
    'main.rb',
    'src/OrderService.php',
    'src/Controller.php',
    'src/main/kotlin/com/acme/orders/OrderService.kt',
  ])
    engine.files.add(f);
  resolver = new StackResolver({ files: engine.files, functions: engine.codeLookup().functions });
});
after(() => rmSync(ws, { recursive: true, force: true }));

const summary = (rs: FrameResolution[]) =>
  rs.map((r) => [r.frame.kind, r.file, r.line, r.function?.qualifiedName ?? null]);

test('format (go): a panic with a closure, created-by frame, runtime frames and a second goroutine', async () => {
  const text = `panic: boom A1

goroutine 7 [running]:
main.(*Server).handle.func1()
	/home/ci/build/cmd/app/server.go:7 +0x1d
created by main.(*Server).handle in goroutine 1
	/home/ci/build/cmd/app/server.go:6 +0x3b

goroutine 1 [chan receive]:
runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
	/usr/local/go/src/runtime/proc.go:398 +0xce
main.main()
	/home/ci/build/cmd/app/server.go:13 +0x45
exit status 2
`;
  const p = parseStackTrace(text);
  assert.deepEqual(
    p.exceptions.map((e) => [e.type, e.message, e.relation, e.frames.length]),
    [
      ['panic', 'boom A1', 'first', 2],
      ['goroutine 1', 'chan receive', 'goroutine', 2],
    ],
  );
  assert.equal(p.frames[1]?.createdBy, true);
  assert.deepEqual(summary(await resolver.resolveAll(p.frames)), [
    ['app', 'cmd/app/server.go', 7, 'Server.handle'],
    ['app', 'cmd/app/server.go', 6, 'Server.handle'],
    ['runtime', null, null, null],
    ['app', 'cmd/app/server.go', 13, 'main'],
  ]);
});

test('format (go): -trimpath module paths and a dependency in the module cache', () => {
  const p = parseStackTrace(`goroutine 1 [running]:
example.com/app/internal/orders.(*Store).Load(...)
	example.com/app@v1.2.3/internal/orders/store.go:42
github.com/lib/pq.(*conn).query(0xc000100000)
	/home/build/go/pkg/mod/github.com/lib/pq@v1.10.9/conn.go:1010 +0x2a
`);
  assert.deepEqual(
    p.frames.map((f) => [f.function, f.file, f.line, f.kind]),
    [
      [
        'example.com/app/internal/orders.(*Store).Load',
        'example.com/app@v1.2.3/internal/orders/store.go',
        42,
        'app',
      ],
      [
        'github.com/lib/pq.(*conn).query',
        '/home/build/go/pkg/mod/github.com/lib/pq@v1.10.9/conn.go',
        1010,
        'dependency',
      ],
    ],
  );
});

test('format (.NET): inner exception, async state machine frame, frames without PDB info', async () => {
  const text = `System.InvalidOperationException: order not found
 ---> System.IO.IOException: eof
   at Acme.Orders.OrderService.Read(String id) in /src/Orders/OrderService.cs:line 19
   at Acme.Orders.OrderService.Load(String id) in /src/Orders/OrderService.cs:line 9
   --- End of inner exception stack trace ---
   at Acme.Orders.OrderService.Load(String id) in /src/Orders/OrderService.cs:line 13
   at Acme.Orders.OrderService.<LoadAsync>d__2.MoveNext() in /src/Orders/OrderService.cs:line 25
--- End of stack trace from previous location ---
   at System.Runtime.CompilerServices.TaskAwaiter.ThrowForNonSuccess(Task task)
   at Acme.Orders.Api.Get(String id)
`;
  const p = parseStackTrace(text);
  assert.equal(p.unparsedLines, 0);
  assert.deepEqual(
    p.exceptions.map((e) => [e.type, e.message, e.relation, e.relatedTo ?? null, e.frames.length]),
    [
      ['System.InvalidOperationException', 'order not found', 'first', null, 4],
      ['System.IO.IOException', 'eof', 'cause', 0, 2],
    ],
  );
  const rs = await resolver.resolveAll(p.frames);
  assert.deepEqual(summary(rs), [
    ['app', 'src/Orders/OrderService.cs', 19, 'OrderService.Read'],
    ['app', 'src/Orders/OrderService.cs', 9, 'OrderService.Load'],
    ['app', 'src/Orders/OrderService.cs', 13, 'OrderService.Load'],
    ['app', 'src/Orders/OrderService.cs', 25, 'OrderService.LoadAsync'],
    ['runtime', null, null, null],
    ['unknown', null, null, null],
  ]);
  assert.ok(
    rs.slice(0, 4).every((r) => r.confidence === 'high'),
    'the async frame name agrees after unwrapping <LoadAsync>d__2',
  );
  assert.equal(rs[5]?.outside, 'no-file');
});

test('format (ruby ≤3.3): backtick quotes, block frames, stdlib and gem frames', async () => {
  const text = `/app/app/models/order.rb:51:in \`load': order not found (RuntimeError)
	from /app/app/models/order.rb:10:in \`block in place'
	from /usr/lib/ruby/3.3.0/set.rb:511:in \`each'
	from /app/vendor/bundle/ruby/3.3.0/gems/rack-3.0.8/lib/rack/builder.rb:10:in \`call'
	from /app/main.rb:3:in \`<main>'
`;
  const p = parseStackTrace(text);
  assert.deepEqual(
    p.exceptions.map((e) => [e.type, e.message]),
    [['RuntimeError', 'order not found']],
  );
  assert.deepEqual(
    p.frames.map((f) => [f.function, f.kind]),
    [
      ['load', 'app'],
      ['block in place', 'app'],
      ['each', 'runtime'],
      ['call', 'dependency'],
      ['<main>', 'app'],
    ],
  );
  assert.deepEqual(summary(await resolver.resolveAll(p.frames)), [
    ['app', 'app/models/order.rb', 51, null],
    ['app', 'app/models/order.rb', 10, null],
    ['runtime', null, null, null],
    ['dependency', null, null, null],
    ['app', 'main.rb', 3, null],
  ]);
});

test('format (ruby 3.4): single quotes with class-qualified names', () => {
  const p = parseStackTrace(`/app/app/models/order.rb:51:in 'Order#load': order not found (KeyError)
	from /app/app/models/order.rb:10:in 'block in Order#place'
	from /app/main.rb:3:in '<main>'
`);
  assert.deepEqual(
    p.frames.map((f) => [f.file, f.line, f.function]),
    [
      ['/app/app/models/order.rb', 51, 'Order#load'],
      ['/app/app/models/order.rb', 10, 'block in Order#place'],
      ['/app/main.rb', 3, '<main>'],
    ],
  );
  assert.equal(p.exceptions[0]?.type, 'KeyError');
});

test('format (php native): getTraceAsString with vendor, internal function and {main}', async () => {
  const p = parseStackTrace(`#0 /var/www/src/OrderService.php(51): App\\OrderService->load('A1')
#1 /var/www/vendor/slim/slim/Slim/App.php(215): App\\Controller->handle(Object(Slim\\Http\\Request))
#2 [internal function]: App\\Kernel->run()
#3 {main}
`);
  assert.deepEqual(
    p.frames.map((f) => [f.file ?? null, f.line ?? null, f.function, f.kind]),
    [
      ['/var/www/src/OrderService.php', 51, 'App\\OrderService->load', 'app'],
      ['/var/www/vendor/slim/slim/Slim/App.php', 215, 'App\\Controller->handle', 'dependency'],
      ['[internal function]', null, 'App\\Kernel->run', 'runtime'],
      [null, null, '{main}', 'unknown'],
    ],
  );
  const rs = await resolver.resolveAll(p.frames);
  assert.deepEqual(rs[0] && [rs[0].file, rs[0].line], ['src/OrderService.php', 51]);
});

test('format (php native): the exception line is the throw site, and Next chains the wrapping exception', () => {
  const p =
    parseStackTrace(`InvalidArgumentException: unknown coupon BOGUS in /var/www/src/Coupons.php:14
Stack trace:
#0 /var/www/src/Coupons.php(23): Coupons->discount()
#1 {main}

Next RuntimeException: cannot redeem BOGUS in /var/www/src/Coupons.php:26
Stack trace:
#0 /var/www/index.php(9): redeem()
#1 {main}`);
  assert.deepEqual(
    p.frames.map((f) => [f.file ?? null, f.line ?? null]),
    [
      ['/var/www/src/Coupons.php', 14],
      ['/var/www/src/Coupons.php', 23],
      [null, null],
      ['/var/www/src/Coupons.php', 26],
      ['/var/www/index.php', 9],
      [null, null],
    ],
  );
  assert.deepEqual(
    p.exceptions.map((e) => [e.type, e.message]),
    [
      ['InvalidArgumentException', 'unknown coupon BOGUS'],
      ['RuntimeException', 'cannot redeem BOGUS'],
    ],
  );
});

test('format (php OTel SDK): Java-like frames with dotted namespaces and basenames', async () => {
  const p = parseStackTrace(`RuntimeException: order not found
	at App.OrderService.load(OrderService.php:51)
	at App.Controller.handle(Controller.php:12)
Caused by: PDOException: connection refused
	at App.Db.connect(Db.php:7)
`);
  assert.deepEqual(
    p.exceptions.map((e) => [e.type, e.relation, e.language]),
    [
      ['RuntimeException', 'first', 'php'],
      ['PDOException', 'cause', 'php'],
    ],
  );
  const rs = await resolver.resolveAll(p.frames);
  assert.deepEqual(
    rs.map((r) => [r.file, r.line, r.inWorkspace]),
    [
      ['src/OrderService.php', 51, true],
      ['src/Controller.php', 12, true],
      [null, null, false],
    ],
  );
});

test('format (kotlin/java 9+): module prefixes, Native Method, Unknown Source, logback omissions', async () => {
  const p = parseStackTrace(`Exception in thread "main" java.lang.IllegalStateException: boom
	at com.acme.orders.OrderServiceKt.loadOrder(OrderService.kt:12)
	at app//com.acme.orders.MainKt.main(Main.kt)
	at java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)
	at kotlinx.coroutines.DispatchedTask.run(DispatchedTask.kt:108) ~[kotlinx-coroutines-core-jvm-1.8.0.jar:na]
	at com.acme.Generated.call(Unknown Source)
	... 12 common frames omitted
`);
  assert.deepEqual(
    p.exceptions.map((e) => [e.type, e.omittedFrames]),
    [['java.lang.IllegalStateException', 12]],
  );
  assert.deepEqual(
    p.frames.map((f) => [f.className, f.file ?? null, f.line ?? null, f.kind]),
    [
      ['com.acme.orders.OrderServiceKt', 'OrderService.kt', 12, 'app'],
      ['com.acme.orders.MainKt', 'Main.kt', null, 'app'],
      ['jdk.internal.reflect.NativeMethodAccessorImpl', null, null, 'runtime'],
      ['kotlinx.coroutines.DispatchedTask', 'DispatchedTask.kt', 108, 'runtime'],
      ['com.acme.Generated', null, null, 'unknown'],
    ],
  );
  const first = await resolver.resolveFrame(p.frames[0]!);
  assert.deepEqual(
    [first.file, first.line, first.confidence],
    ['src/main/kotlin/com/acme/orders/OrderService.kt', 12, 'high'],
  );
});
