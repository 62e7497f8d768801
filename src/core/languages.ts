// Which tree-sitter grammar and query handle which source file. Data only: the walking logic that
// turns query matches into FunctionRanges lives in function-parser.ts.
//
// Query capture contract (function-parser.ts relies on these names):
//   @function / @method / @constructor / @arrow  the function node itself; the capture name is its kind
//   @name      the token that names it (absent for `export default function () {}`: see @default)
//   @default   the `default` keyword standing in for the name of an anonymous default export
//   @decl      the enclosing declaration (variable declarator, class field, object pair,
//              assignment) whose extent is reported instead of the bare function expression
//   @receiver  Go only: the receiver parameter list, whose type becomes the container
//   @verb      an HTTP method: the inline route handler is named `VERB /path` (@name is the path)
//   @wrapper   the callee a function literal is passed to (`catchAsync`): see NOT_WRAPPER

import type { LanguageId } from './model';

export interface LanguageSpec {
  /** File name of the grammar inside the tree-sitter wasm folder. */
  grammar: string;
  query: string;
  /** Node types that name an enclosing scope (classes and the like) through their `name` field. */
  containerTypes: readonly string[];
  /** Node types that may precede the declaration keyword inside its node and are not its start. */
  leadingTrivia: readonly string[];
}

const EXTENSIONS: Readonly<Record<string, LanguageId>> = {
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'tsx',
  // The javascript grammar parses JSX too.
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.jsx': 'javascript',
  '.py': 'python',
  '.java': 'java',
  '.go': 'go',
  '.cs': 'csharp',
  '.rb': 'ruby',
  '.php': 'php',
};

/** VS Code's language ids of the files each parser language reads: lenses, hovers and menus cover these. */
export const EDITOR_LANGUAGE_IDS: Readonly<Record<LanguageId, readonly string[]>> = {
  typescript: ['typescript'],
  tsx: ['typescriptreact'],
  javascript: ['javascript', 'javascriptreact'],
  python: ['python'],
  java: ['java'],
  go: ['go'],
  csharp: ['csharp'],
  ruby: ['ruby'],
  php: ['php'],
};

/** The parser language for a file path (either slash style), or undefined when unsupported. */
export function languageForPath(path: string): LanguageId | undefined {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return EXTENSIONS[base.slice(dot).toLowerCase()];
}

// TypeScript and JavaScript differ only in how a class field is spelled in the tree.
function jsFamilyQuery(fieldPattern: string): string {
  const fnValue =
    '[(arrow_function) @arrow (function_expression) @function (generator_function) @function]';
  return `
(function_declaration name: (identifier) @name) @function
(generator_function_declaration name: (identifier) @name) @function
(method_definition
  name: [(property_identifier) (private_property_identifier) (string) (number) (computed_property_name)] @name) @method
(variable_declarator name: (identifier) @name value: ${fnValue}) @decl
${fieldPattern.replace('$VALUE', fnValue)}
(pair key: [(property_identifier) (string) (number)] @name value: ${fnValue}) @decl
(assignment_expression
  left: (member_expression property: [(property_identifier) (private_property_identifier)] @name)
  right: ${fnValue}) @decl
(export_statement "default" @default value: ${fnValue})
(call_expression
  function: (member_expression property: (property_identifier) @verb)
  arguments: (arguments . (string) @name [(arrow_function) @arrow (function_expression) @function] .)
  (#match? @verb "^(get|post|put|delete|patch|options|head|all)$")
  (#match? @name "^.[/*]"))
(call_expression
  function: (member_expression property: (property_identifier) @verb)
  arguments: (arguments . (string) @name (call_expression arguments: (arguments ${fnValue})) .)
  (#match? @verb "^(get|post|put|delete|patch|options|head|all)$")
  (#match? @name "^.[/*]"))
(object
  (pair key: (property_identifier) @method_key value: (string) @verb)
  (pair key: (property_identifier) @path_key value: (string) @name)
  (pair key: (property_identifier) @handler_key value: ${fnValue}) @decl
  (#eq? @method_key "method") (#match? @path_key "^(path|url)$") (#eq? @handler_key "handler")
  (#match? @name "^.[/*]"))
${wrapped(fnValue, fieldPattern)}
`;
}

// A function literal passed to a wrapper and bound to a name is that name's function, as real
// handlers are written: `const getUser = catchAsync(async (req, res) => …)`,
// `exports.login = wrap(async …)`, `{ list: asyncHandler(async …) }`. Calls that merely take a
// callback (`users.map(u => …)`, `setTimeout(() => …)`) are not wrappers: function-parser.ts drops
// those matches by the callee's name (NOT_WRAPPER), which keeps the query quick to compile (a
// structural alternative in the query tripled its compile time, paid on the editor's thread).
export const NOT_WRAPPER =
  /(?:^|\.)(?:setTimeout|setInterval|setImmediate|queueMicrotask|describe|it|test|require|map|filter|reduce|reduceRight|forEach|find|findIndex|findLast|findLastIndex|some|every|flatMap|sort|then|catch|finally|on|once|addListener|addEventListener|replace|replaceAll|subscribe|pipe|push|unshift|splice|from|all|race|allSettled|any)$/;

function wrapped(fnValue: string, fieldPattern: string): string {
  const value = `(call_expression function: (_) @wrapper arguments: (arguments ${fnValue}))`;
  return [
    `(variable_declarator name: (identifier) @name value: ${value}) @decl`,
    `(assignment_expression left: (member_expression property: [(property_identifier) (private_property_identifier)] @name) right: ${value}) @decl`,
    `(pair key: [(property_identifier) (string)] @name value: ${value}) @decl`,
    fieldPattern.replace('$VALUE', value),
  ].join('\n');
}

const TS_FIELD =
  '(public_field_definition name: [(property_identifier) (private_property_identifier)] @name value: $VALUE) @decl';
const JS_FIELD =
  '(field_definition property: [(property_identifier) (private_property_identifier)] @name value: $VALUE) @decl';

const JS_CONTAINERS = [
  'class_declaration',
  'abstract_class_declaration',
  'class',
  'object',
] as const;
const JS_TRIVIA = ['decorator', 'comment'] as const;

const PYTHON_QUERY = `
(function_definition name: (identifier) @name) @function
`;

// Body-less declarations (interface and abstract methods) carry no code, so they are left out.
const JAVA_QUERY = `
(method_declaration name: (identifier) @name body: (block)) @method
(constructor_declaration name: (identifier) @name) @constructor
(compact_constructor_declaration name: (identifier) @name) @constructor
`;

const GO_QUERY = `
(function_declaration name: (identifier) @name) @function
(method_declaration receiver: (parameter_list) @receiver name: (field_identifier) @name) @method
`;

const CSHARP_QUERY = `
(method_declaration name: (identifier) @name body: (_)) @method
(constructor_declaration name: (identifier) @name) @constructor
(local_function_statement name: (identifier) @name body: (_)) @function
`;

const RUBY_QUERY = `
(method name: (_) @name) @method
(singleton_method name: (_) @name) @method
`;

const PHP_QUERY = `
(function_definition name: (name) @name) @function
(method_declaration name: (name) @name body: (compound_statement)) @method
`;

export const LANGUAGE_SPECS: Readonly<Record<LanguageId, LanguageSpec>> = {
  typescript: {
    grammar: 'tree-sitter-typescript.wasm',
    query: jsFamilyQuery(TS_FIELD),
    containerTypes: JS_CONTAINERS,
    leadingTrivia: JS_TRIVIA,
  },
  tsx: {
    grammar: 'tree-sitter-tsx.wasm',
    query: jsFamilyQuery(TS_FIELD),
    containerTypes: JS_CONTAINERS,
    leadingTrivia: JS_TRIVIA,
  },
  javascript: {
    grammar: 'tree-sitter-javascript.wasm',
    query: jsFamilyQuery(JS_FIELD),
    containerTypes: JS_CONTAINERS,
    leadingTrivia: JS_TRIVIA,
  },
  python: {
    grammar: 'tree-sitter-python.wasm',
    query: PYTHON_QUERY,
    containerTypes: ['class_definition'],
    leadingTrivia: ['comment'],
  },
  java: {
    grammar: 'tree-sitter-java.wasm',
    query: JAVA_QUERY,
    containerTypes: [
      'class_declaration',
      'interface_declaration',
      'enum_declaration',
      'record_declaration',
      'annotation_type_declaration',
      'enum_constant',
    ],
    leadingTrivia: ['marker_annotation', 'annotation', 'line_comment', 'block_comment'],
  },
  go: {
    grammar: 'tree-sitter-go.wasm',
    query: GO_QUERY,
    containerTypes: [],
    leadingTrivia: ['comment'],
  },
  csharp: {
    grammar: 'tree-sitter-c-sharp.wasm',
    query: CSHARP_QUERY,
    // Namespaces are deliberately absent: telemetry names rarely carry them consistently.
    containerTypes: [
      'class_declaration',
      'struct_declaration',
      'interface_declaration',
      'record_declaration',
    ],
    leadingTrivia: ['attribute_list', 'comment'],
  },
  ruby: {
    grammar: 'tree-sitter-ruby.wasm',
    query: RUBY_QUERY,
    containerTypes: ['class', 'module'],
    leadingTrivia: ['comment'],
  },
  php: {
    grammar: 'tree-sitter-php.wasm',
    query: PHP_QUERY,
    containerTypes: [
      'class_declaration',
      'interface_declaration',
      'trait_declaration',
      'enum_declaration',
    ],
    leadingTrivia: ['attribute_list', 'comment'],
  },
};
