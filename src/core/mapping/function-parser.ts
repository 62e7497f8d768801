// Finds the functions in one source text with tree-sitter (the WASM runtime and grammars shipped
// in @vscode/tree-sitter-wasm), so telemetry can be pinned to a function's lines.
//
// Loading is async, parsing is sync: grammars load lazily, once per language, through
// `ensureLanguage` (or up front via `create({ languages })`); after that `parse` runs synchronously,
// which lets editor features answer without awaiting. `parse` throws if the grammar was not loaded.

import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type * as TreeSitter from '@vscode/tree-sitter-wasm';
import type { FunctionRange, LanguageId } from '../model';
import { LANGUAGE_SPECS, NOT_WRAPPER, type LanguageSpec } from '../languages';

type Runtime = typeof TreeSitter;
type Node = TreeSitter.Node;
type Kind = FunctionRange['kind'];

export interface FunctionParserOptions {
  /** Folder holding tree-sitter.js, tree-sitter.wasm and the grammars; see `defaultWasmDir`. */
  wasmDir?: string;
  /** Grammars to load before `create` resolves, so `parse` can be called for them right away. */
  languages?: readonly LanguageId[];
}

interface LoadedLanguage {
  spec: LanguageSpec;
  query: TreeSitter.Query;
  /** One parser per language: switching a parser's language costs more than a small parse. */
  parser: TreeSitter.Parser;
}

// A plain runtime `require` that esbuild leaves alone, so the runtime is loaded from disk next to
// its .wasm file instead of being inlined into the bundle.
const nodeRequire = createRequire(
  typeof __filename === 'string' ? __filename : path.join(process.cwd(), 'index.js'),
);

/**
 * Where the tree-sitter files are: `tree-sitter/` beside the bundle (the build copies them to
 * dist/tree-sitter), else the installed @vscode/tree-sitter-wasm package (running from source).
 */
export function defaultWasmDir(): string {
  const candidates: string[] = [];
  if (typeof __dirname === 'string') candidates.push(path.join(__dirname, 'tree-sitter'));
  try {
    candidates.push(
      path.join(path.dirname(nodeRequire.resolve('@vscode/tree-sitter-wasm/package.json')), 'wasm'),
    );
  } catch {
    // Not installed (a packaged extension): only the bundled copy can work.
  }
  const found = candidates.find((dir) => existsSync(path.join(dir, 'tree-sitter.js')));
  if (!found) throw new Error(`tree-sitter runtime not found; looked in: ${candidates.join(', ')}`);
  return found;
}

// The runtime keeps global WASM state, so it is initialised once per copy of tree-sitter.js.
const runtimes = new Map<string, Promise<Runtime>>();

function loadRuntime(wasmDir: string): Promise<Runtime> {
  const file = path.join(wasmDir, 'tree-sitter.js');
  let pending = runtimes.get(file);
  if (!pending) {
    pending = (async () => {
      const runtime = nodeRequire(file) as Runtime;
      await runtime.Parser.init({ locateFile: (name: string) => path.join(wasmDir, name) });
      return runtime;
    })();
    // A failed init (missing file) must not poison later attempts with a fixed path.
    pending.catch(() => runtimes.delete(file));
    runtimes.set(file, pending);
  }
  return pending;
}

export class FunctionParser {
  private readonly loaded = new Map<LanguageId, LoadedLanguage>();
  private readonly loading = new Map<LanguageId, Promise<void>>();
  private disposed = false;

  private constructor(
    private readonly runtime: Runtime,
    private readonly wasmDir: string,
  ) {}

  static async create(opts: FunctionParserOptions = {}): Promise<FunctionParser> {
    const wasmDir = opts.wasmDir ?? defaultWasmDir();
    const runtime = await loadRuntime(wasmDir);
    const parser = new FunctionParser(runtime, wasmDir);
    await Promise.all((opts.languages ?? []).map((lang) => parser.ensureLanguage(lang)));
    return parser;
  }

  /** True when `parse` can be called for this language without awaiting `ensureLanguage`. */
  isLoaded(language: LanguageId): boolean {
    return this.loaded.has(language);
  }

  /** Loads the grammar and compiles its query; concurrent calls share one load. */
  ensureLanguage(language: LanguageId): Promise<void> {
    if (this.disposed) return Promise.reject(new Error('FunctionParser is disposed'));
    if (this.loaded.has(language)) return Promise.resolve();
    let pending = this.loading.get(language);
    if (!pending) {
      pending = this.load(language).finally(() => this.loading.delete(language));
      this.loading.set(language, pending);
    }
    return pending;
  }

  private async load(language: LanguageId): Promise<void> {
    const spec = LANGUAGE_SPECS[language];
    const grammar = await this.runtime.Language.load(path.join(this.wasmDir, spec.grammar));
    if (this.disposed) return;
    const query = new this.runtime.Query(grammar, spec.query);
    const parser = new this.runtime.Parser();
    parser.setLanguage(grammar);
    this.loaded.set(language, { spec, query, parser });
  }

  /**
   * The functions in `text`, sorted by start line (outer before inner on ties). Syntax errors give
   * partial results rather than an exception. Throws if the language's grammar is not loaded.
   */
  parse(text: string, language: LanguageId): FunctionRange[] {
    if (this.disposed) throw new Error('FunctionParser is disposed');
    const loaded = this.loaded.get(language);
    if (!loaded)
      throw new Error(
        `Grammar for ${language} is not loaded: await ensureLanguage('${language}') first`,
      );
    const tree = loaded.parser.parse(text);
    if (!tree) return [];
    try {
      return extractFunctions(tree.rootNode, loaded);
    } finally {
      tree.delete(); // WASM memory is not garbage collected.
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const { query, parser } of this.loaded.values()) {
      query.delete();
      parser.delete();
    }
    this.loaded.clear();
  }
}

/** One query match, before containers are known. */
interface Found {
  fn: Node;
  /** The node whose lines are reported (declaration statement, field, pair...). */
  extent: Node;
  /** The member-assignment target (`this.x = ...`), whose object path qualifies the name. */
  assignment?: Node;
  nameNode: Node;
  name: string;
  kind: Kind;
  receiver?: Node;
}

const FN_CAPTURES: ReadonlySet<string> = new Set(['function', 'method', 'constructor', 'arrow']);
/** The one JS container that is not a class, so `this.x = fn` inside it does not name it. */
const OBJECT_LITERAL = 'object';

function extractFunctions(root: Node, { spec, query }: LoadedLanguage): FunctionRange[] {
  const found = new Map<number, Found>();
  for (const match of query.matches(root)) {
    let fn: Node | undefined;
    let kind: Kind = 'function';
    let nameNode: Node | undefined;
    let decl: Node | undefined;
    let receiver: Node | undefined;
    let isDefault = false;
    let verb: string | undefined;
    let wrapper: string | undefined;
    for (const { name, node } of match.captures) {
      if (FN_CAPTURES.has(name)) {
        fn = node;
        kind = name as Kind;
      } else if (name === 'name') nameNode = node;
      else if (name === 'default') {
        nameNode = node;
        isDefault = true;
      } else if (name === 'decl') decl = node;
      else if (name === 'receiver') receiver = node;
      else if (name === 'verb') verb = node.text;
      else if (name === 'wrapper') wrapper = node.text;
    }
    if (!fn || !nameNode || found.has(fn.id)) continue;
    // `const names = users.map((u) => …)` passes a callback; it does not define `names`.
    if (wrapper !== undefined && NOT_WRAPPER.test(wrapper)) continue;
    // An inline route handler (`app.get('/orders/:id', (req, res) => …)`) is named by its route.
    // A named function expression keeps its own name (`app.get('/x', async function getTask() {})`,
    // `module.exports = async function errors(ctx, next) {}`: the stack trace names it so).
    const commonJsExport =
      decl?.type === 'assignment_expression' &&
      /^(?:module\.)?exports$/.test(decl.childForFieldName('left')?.text ?? '');
    const ownName = verb || commonJsExport ? fn.childForFieldName('name') : null;
    if (ownName) nameNode = ownName;
    const name = isDefault
      ? 'default'
      : ownName
        ? ownName.text
        : verb
          ? `${verb.replace(/^['"`]|['"`]$/g, '').toUpperCase()} ${unquote(nameNode)}`
          : unquote(nameNode);
    found.set(fn.id, {
      fn,
      extent: liftDeclaration(decl ?? fn),
      assignment:
        decl?.type === 'assignment_expression' && !(commonJsExport && ownName)
          ? (decl.childForFieldName('left') ?? undefined)
          : undefined,
      nameNode,
      name,
      kind: refineKind(kind, fn, name),
      receiver,
    });
  }

  const rows: { range: FunctionRange; start: number; end: number }[] = [];
  for (const f of found.values()) {
    const start = startPoint(f.extent, spec);
    const end = f.extent.endPosition;
    // A node that swallows its trailing newline ends at column 0 of the next line.
    const endRow = end.column === 0 && end.row > start.row ? end.row - 1 : end.row;
    rows.push({
      range: {
        name: f.name,
        qualifiedName: [...qualifier(f, found, spec), f.name].join('.'),
        kind: f.kind,
        startLine: start.row + 1,
        endLine: endRow + 1,
        nameLine: f.nameNode.startPosition.row + 1,
        nameColumn: f.nameNode.startPosition.column,
        nameEndColumn: f.nameNode.endPosition.column,
      },
      start: f.extent.startIndex,
      end: f.extent.endIndex,
    });
  }
  rows.sort((a, b) => a.range.startLine - b.range.startLine || a.start - b.start || b.end - a.end);
  return rows.map((r) => r.range);
}

function unquote(node: Node): string {
  const text = node.text;
  return node.type === 'string' && text.length >= 2 ? text.slice(1, -1) : text;
}

function refineKind(kind: Kind, fn: Node, name: string): Kind {
  // Ruby: `initialize` constructs; a `def` outside any class or module is a plain function.
  if (fn.type === 'method')
    return name === 'initialize'
      ? 'constructor'
      : fn.parent?.type === 'program'
        ? 'function'
        : kind;
  if (fn.type === 'method_declaration' && name === '__construct') return 'constructor'; // PHP
  if (fn.type === 'method_definition' && name === 'constructor' && fn.parent?.type === 'class_body')
    return 'constructor';
  if (fn.type === 'function_definition') {
    // Python: a def directly in a class body is a method; __init__ is what runs on construction.
    let parent = fn.parent;
    if (parent?.type === 'decorated_definition') parent = parent.parent;
    if (parent?.type === 'block' && parent.parent?.type === 'class_definition') {
      return name === '__init__' ? 'constructor' : 'method';
    }
  }
  return kind;
}

/**
 * Widens a declaration to the statement that holds only it, so `export const f = () => {}` starts at
 * `export`. A declarator sharing its statement with others keeps its own extent.
 */
function liftDeclaration(node: Node): Node {
  let current = node;
  for (;;) {
    const parent = current.parent;
    if (!parent) return current;
    const soleDeclarator =
      current.type === 'variable_declarator' &&
      (parent.type === 'lexical_declaration' || parent.type === 'variable_declaration') &&
      parent.namedChildren.filter((c) => c?.type === 'variable_declarator').length === 1;
    const exported =
      parent.type === 'export_statement' &&
      (parent.childForFieldName('declaration')?.id === current.id ||
        parent.childForFieldName('value')?.id === current.id);
    if (!soleDeclarator && !exported) return current;
    current = parent;
  }
}

/** Where the declaration keyword or name starts: past decorators, annotations and attributes. */
function startPoint(node: Node, spec: LanguageSpec): TreeSitter.Point {
  for (const child of node.children) {
    if (!child || spec.leadingTrivia.includes(child.type)) continue;
    if (child.type === 'modifiers') {
      // Java folds annotations into `modifiers`; an annotation-only list is skipped entirely.
      const keyword = child.children.find((c) => c && !spec.leadingTrivia.includes(c.type));
      if (keyword) return keyword.startPosition;
      continue;
    }
    return child.startPosition;
  }
  return node.startPosition;
}

interface Segment {
  name: string;
  isClass: boolean;
}

/** The container names, outermost first. */
function qualifier(f: Found, found: ReadonlyMap<number, Found>, spec: LanguageSpec): string[] {
  if (f.receiver) {
    // Go: the receiver type, without `*` or type arguments.
    const type = f.receiver.descendantsOfType('type_identifier')[0];
    return type ? [type.text] : [];
  }
  const chain = containers(f.fn, found, spec);
  if (f.assignment) {
    const target = memberPath(f.assignment);
    if (target) {
      const objectPath = target.slice(0, -1);
      if (objectPath[0] === 'this') {
        // `this.x = fn` belongs to the class (or constructor function) that `this` is.
        const classAt = chain.map((s) => s.isClass).lastIndexOf(true);
        const owner = classAt >= 0 ? chain.slice(0, classAt + 1) : chain;
        return [...owner.map((s) => s.name), ...objectPath.slice(1)];
      }
      return exportlessPath(objectPath);
    }
  }
  return chain.map((s) => s.name);
}

function containers(fn: Node, found: ReadonlyMap<number, Found>, spec: LanguageSpec): Segment[] {
  const segments: Segment[] = [];
  for (let node = fn.parent; node; node = node.parent) {
    const outer = found.get(node.id);
    if (outer) {
      segments.push({ name: outer.name, isClass: false });
    } else if (spec.containerTypes.includes(node.type)) {
      const name = containerName(node);
      if (name) segments.push({ name, isClass: node.type !== OBJECT_LITERAL });
    }
  }
  return segments.reverse();
}

/** A class's own name, or for anonymous classes and object literals the name they are bound to. */
function containerName(node: Node): string | undefined {
  const own = node.childForFieldName('name');
  if (own) return own.text;
  const parent = node.parent;
  if (!parent) return undefined;
  switch (parent.type) {
    case 'variable_declarator':
    case 'public_field_definition':
      return parent.childForFieldName('name')?.text;
    case 'field_definition':
      return parent.childForFieldName('property')?.text;
    case 'pair': {
      const key = parent.childForFieldName('key');
      return key ? unquote(key) : undefined;
    }
    case 'assignment_expression': {
      // `module.exports = {...}` names nothing; `Foo.prototype = {...}` names Foo.
      const left = parent.childForFieldName('left');
      const target = left ? memberPath(left) : undefined;
      return target ? exportlessPath(target).at(-1) : undefined;
    }
    case 'export_statement':
      return 'default';
    default:
      return undefined;
  }
}

/** `a.b.c` as ['a', 'b', 'c']; undefined for computed or call-based targets. */
function memberPath(node: Node): string[] | undefined {
  const parts: string[] = [];
  let current: Node | null = node;
  while (current?.type === 'member_expression') {
    const property = current.childForFieldName('property');
    if (!property) return undefined;
    parts.unshift(property.text);
    current = current.childForFieldName('object');
  }
  if (current?.type !== 'identifier' && current?.type !== 'this') return undefined;
  parts.unshift(current.text);
  return parts;
}

/** Drops CommonJS export plumbing and `prototype`, which are not part of the name people use. */
function exportlessPath(parts: string[]): string[] {
  let rest = parts;
  if (rest[0] === 'module' && rest[1] === 'exports') rest = rest.slice(2);
  else if (rest[0] === 'exports') rest = rest.slice(1);
  return rest.filter((p) => p !== 'prototype');
}
