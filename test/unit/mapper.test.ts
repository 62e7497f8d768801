import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readCodeLocation } from '../../src/core/mapping/code-attributes';
import { bareName, Mapper } from '../../src/core/mapping/mapper';
import { WorkspaceFiles } from '../../src/core/mapping/workspace-files';
import type { FunctionRange } from '../../src/core/model';

function fn(qualifiedName: string, startLine: number, endLine: number): FunctionRange {
  const name = qualifiedName.split('.').pop()!;
  return {
    name,
    qualifiedName,
    kind: 'method',
    startLine,
    endLine,
    nameLine: startLine,
    nameColumn: 2,
    nameEndColumn: 2 + name.length,
  };
}

const files = new WorkspaceFiles('/ws');
files.replaceAll(['src/orders.ts', 'src/main/java/com/acme/OrderService.java']);
const mapper = new Mapper(files);
const ORDERS = [
  fn('OrderService', 1, 40),
  fn('OrderService.place', 3, 20),
  fn('OrderService.get', 22, 30),
  fn('helper', 42, 45),
  fn('Other.get', 50, 55),
];

function map(attrs: Record<string, string | number>, ranges: FunctionRange[] | null = ORDERS) {
  const loc = readCodeLocation(attrs);
  return mapper.map(loc, mapper.resolveFile(loc), ranges ?? undefined);
}

test('current code attributes: the innermost function containing the line', () => {
  const m = map({
    'code.file.path': '/app/src/orders.ts',
    'code.line.number': 10,
    'code.function.name': 'OrderService.place',
  });
  assert.equal(m.function?.qualifiedName, 'OrderService.place');
  assert.equal(m.rule, 'code.file.path+line');
  assert.equal(m.confidence, 'high');
  assert.match(m.explanation, /line 10 is inside OrderService\.place/);
});

test('deprecated attributes (code.filepath, code.lineno, code.namespace + code.function) map the same way', () => {
  const m = map({
    'code.filepath': '/app/src/orders.ts',
    'code.lineno': '25',
    'code.namespace': 'OrderService',
    'code.function': 'get',
  });
  assert.equal(m.function?.qualifiedName, 'OrderService.get');
  assert.equal(m.rule, 'code.filepath+line');
});

test('a name without a line picks the function of that name; two of that name are ambiguous', () => {
  assert.equal(
    map({ 'code.file.path': '/app/src/orders.ts', 'code.function.name': 'helper' }).function
      ?.qualifiedName,
    'helper',
  );
  const amb = map({ 'code.file.path': '/app/src/orders.ts', 'code.function.name': 'get' });
  assert.equal(amb.function, undefined);
  assert.equal(amb.confidence, 'ambiguous');
  assert.equal(amb.candidates?.length, 2);
  assert.equal(
    map({ 'code.file.path': '/app/src/orders.ts', 'code.function.name': 'OrderService.get' })
      .function?.startLine,
    22,
  );
});

test('a line and a name that disagree: the name wins at medium confidence and the reason is given', () => {
  const m = map({
    'code.file.path': '/app/src/orders.ts',
    'code.line.number': 5,
    'code.function.name': 'helper',
  });
  assert.equal(m.function?.qualifiedName, 'helper');
  assert.equal(m.confidence, 'medium');
  assert.match(m.explanation, /deployed code may differ/);
});

test('a line inside a function whose name this file lacks maps with low confidence', () => {
  const m = map({
    'code.file.path': '/app/src/orders.ts',
    'code.line.number': 5,
    'code.function.name': 'vanished',
  });
  assert.equal(m.function?.qualifiedName, 'OrderService.place');
  assert.equal(m.confidence, 'low');
});

test('unmapped cases say why', () => {
  assert.match(map({}).explanation, /no code\.\* attributes/);
  assert.match(
    map({ 'code.file.path': '/app/src/nothere.ts', 'code.line.number': 3 }).explanation,
    /no workspace file is named nothere\.ts/,
  );
  assert.match(
    map({ 'code.file.path': '/app/src/orders.ts', 'code.line.number': 47 }).explanation,
    /outside every function/,
  );
  assert.match(
    map({ 'code.file.path': '/app/src/orders.ts', 'code.line.number': 3 }, null).explanation,
    /not parsed/,
  );
});

test('a Java qualified name without a file path finds the class file by package path', () => {
  const ranges = [fn('OrderService.placeOrder', 10, 30)];
  const m = map(
    { 'code.namespace': 'com.acme.OrderService', 'code.function': 'placeOrder' },
    ranges,
  );
  assert.equal(m.file, 'src/main/java/com/acme/OrderService.java');
  assert.equal(m.function?.qualifiedName, 'OrderService.placeOrder');
  assert.equal(m.confidence, 'medium');
});

test('bare names from every runtime style', () => {
  assert.equal(bareName('com.acme.Svc.run'), 'run');
  assert.equal(bareName('App\\Svc::run'), 'run');
  assert.equal(bareName('main.(*Server).Handle'), 'Handle');
  assert.equal(bareName('Order#load'), 'load');
});
