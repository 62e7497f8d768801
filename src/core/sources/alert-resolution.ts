// Which workspace function an alert is about. In order: an explicit mapping in settings
// (`prodlens.alerts.codeMapping`: { "alertname": "file#function" }), the alert's code labels
// (a spanmetrics code dimension or a label the rule author set: code_function_name,
// code_filepath, …), its span_name, then its exemplar traces when a trace backend can locate them.
// An alert that none of these place says why, in one sentence, instead of guessing.
import { bareName } from '../mapping/mapper';
import { CodeResolver, isUsable } from '../resolver/code-resolver';
import { functionsNamed, nameMatchLength } from '../function-lookup';
import type { FunctionSource } from '../mapping/function-index';
import { languageForPath } from '../languages';
import type { WorkspaceFiles } from '../mapping/workspace-files';
import type { CodeLocation, Confidence, FunctionRange } from '../model';
import type { AlertRecord } from './source';

export interface AlertResolution {
  /** Workspace-relative file. */
  file?: string;
  /** First line of the function (1-based), or of the file when only the file is known. */
  line?: number;
  /** Qualified name of the workspace function. */
  function?: string;
  rule: 'settings-mapping' | 'code-labels' | 'span-name' | 'exemplar-trace' | 'none';
  confidence: Confidence;
  /** How it matched, or (same text as unresolvedReason) why not. */
  explanation: string;
  unresolvedReason?: string;
  candidates?: string[];
}

export interface AlertResolverOptions {
  files: WorkspaceFiles;
  functions: FunctionSource;
  /** alertname → `file#function` (file workspace-relative or as deployed; `#function` optional). */
  mapping?: Readonly<Record<string, string>>;
  /** Where a trace's code is, when a trace backend is configured (none is implemented yet). */
  traceLocator?: (traceId: string) => Promise<CodeLocation | undefined>;
  /** Files parsed at most when searching the workspace for a function name. */
  maxFilesSearched?: number;
}

const FUNCTION_LABELS = [
  'code_function_name',
  'code_function',
  'code.function.name',
  'code.function',
];
const FILE_LABELS = ['code_file_path', 'code_filepath', 'code.file.path', 'code.filepath'];
const LINE_LABELS = ['code_line_number', 'code_lineno', 'code.line.number', 'code.lineno'];
const NAMESPACE_LABELS = ['code_namespace', 'code.namespace'];

interface Located {
  file: string;
  fn: FunctionRange;
}

export class AlertResolver {
  private readonly resolver: CodeResolver;
  private everyFunction: Promise<Located[]> | undefined;

  constructor(private readonly o: AlertResolverOptions) {
    this.resolver = new CodeResolver(o.files, o.functions);
  }

  async resolve(alert: AlertRecord): Promise<AlertResolution> {
    const mapped = this.o.mapping?.[alert.name];
    if (mapped !== undefined) return this.fromMapping(alert.name, mapped);
    const r = await this.locate(alert.labels, {
      what: 'the alert',
      exemplarTraceIds: alert.exemplarTraceIds ?? [],
    });
    return r.unresolvedReason !== undefined && r.rule === 'none'
      ? none(reasonForNothing(alert.name, alert.labels, alert.labels.span_name))
      : r;
  }

  /**
   * Where a set of telemetry labels points in the workspace: code labels through the span mapper,
   * then the span name, then exemplar traces. Shared by alerts and by backend numbers (metric
   * series labels), so both land on the same function. `what` names the labels' owner in
   * explanations ("the alert", "the metric series").
   */
  async locate(
    l: Readonly<Record<string, string>>,
    o: { what: string; exemplarTraceIds?: readonly string[] },
  ): Promise<AlertResolution> {
    const fn = first(l, FUNCTION_LABELS);
    const ns = first(l, NAMESPACE_LABELS);
    const filePath = first(l, FILE_LABELS);
    const line = Number(first(l, LINE_LABELS));
    if (fn || filePath) {
      const loc: CodeLocation = { source: filePath ? 'code.file.path' : 'code.function.name' };
      if (filePath) loc.filePath = filePath;
      if (fn) loc.functionName = ns && !fn.includes('.') ? `${ns}.${fn}` : fn;
      if (Number.isInteger(line) && line > 0) loc.line = line;
      if (filePath) return this.fromLocation(loc, 'code-labels', `${o.what} labels`);
      return this.byName(
        loc.functionName ?? '',
        'code-labels',
        `${o.what}'s code function label ${loc.functionName}`,
      );
    }
    const span = l.span_name;
    if (span && !looksLikeRoute(span)) {
      const r = await this.byName(span, 'span-name', `${o.what}'s span_name ${span}`);
      if (r.file || r.candidates) return r;
    }
    for (const traceId of o.exemplarTraceIds ?? []) {
      const loc = this.o.traceLocator
        ? await this.o.traceLocator(traceId).catch(() => undefined)
        : undefined;
      if (loc && loc.source !== 'none') {
        const r = await this.fromLocation(loc, 'exemplar-trace', `exemplar trace ${traceId}`);
        if (r.file) return r;
      }
    }
    return none(`${o.what} has no code_function_name, code_filepath or usable span_name label`);
  }

  /** `src/orders.ts#OrderService.placeOrder` (or just a file) from settings. */
  private async fromMapping(name: string, target: string): Promise<AlertResolution> {
    const hash = target.indexOf('#');
    const path = (hash < 0 ? target : target.slice(0, hash)).trim();
    const fnName = hash < 0 ? '' : target.slice(hash + 1).trim();
    const where = `prodlens.alerts.codeMapping maps ${name} to ${target}`;
    const file = this.o.files.has(path) ? path : this.o.files.resolve(path).file;
    if (!file)
      return none(
        `${where}, but no workspace file matches ${path || '(empty path)'}`,
        'settings-mapping',
      );
    if (!fnName)
      return { file, line: 1, rule: 'settings-mapping', confidence: 'exact', explanation: where };
    const ranges = await this.o.functions.get(file);
    const named = ranges ? functionsNamed(ranges, fnName) : [];
    if (named.length === 1) return hit(file, named[0]!, 'settings-mapping', 'exact', where);
    if (named.length > 1)
      return {
        ...none(
          `${where}, but ${file} has ${named.length} functions named ${bareName(fnName)}`,
          'settings-mapping',
        ),
        file,
        confidence: 'ambiguous',
        candidates: named.map((f) => `${f.qualifiedName} (line ${f.startLine})`),
      };
    return {
      ...none(`${where}, but ${file} defines no function named ${fnName}`, 'settings-mapping'),
      file,
    };
  }

  /** Through the span mapper, so alerts and lenses agree on where a code location is. */
  private async fromLocation(
    loc: CodeLocation,
    rule: AlertResolution['rule'],
    from: string,
  ): Promise<AlertResolution> {
    const path = this.resolver.resolvePath(loc);
    const ranges = path?.file ? await this.o.functions.get(path.file) : undefined;
    const m = this.resolver.map(loc, path, ranges);
    if (isUsable(m))
      return hit(m.file, m.function, rule, m.confidence, `${from}: ${m.explanation}`);
    // A file with no usable function name still beats a workspace-wide guess.
    if (!m.file && loc.functionName && loc.filePath)
      return this.byName(
        loc.functionName,
        rule,
        `${from} (its file ${loc.filePath} is not in the workspace)`,
      );
    const r: AlertResolution = {
      ...none(`${from}: ${m.explanation}`, rule),
      confidence: m.confidence === 'ambiguous' ? 'ambiguous' : 'none',
    };
    if (m.file) r.file = m.file;
    if (m.candidates) r.candidates = m.candidates;
    return r;
  }

  /** The one workspace function that best carries this name, searching every parsed file. */
  private async byName(
    name: string,
    rule: AlertResolution['rule'],
    from: string,
  ): Promise<AlertResolution> {
    const all = await this.allFunctions();
    let best = 0;
    let winners: Located[] = [];
    for (const f of all) {
      const n = nameMatchLength(f.fn, name) * 2 + (f.fn.qualifiedName === name ? 1 : 0);
      if (n === 0 || n < best) continue;
      if (n > best) {
        best = n;
        winners = [];
      }
      winners.push(f);
    }
    if (winners.length === 1) {
      const w = winners[0]!;
      // A qualified match (Class.method) is as good as a file path; a bare name is a guess.
      const confidence: Confidence = best >= 4 ? 'high' : 'medium';
      return hit(
        w.file,
        w.fn,
        rule,
        confidence,
        `${from} names ${w.fn.qualifiedName}, found only in ${w.file}`,
      );
    }
    if (winners.length > 1) {
      return {
        ...none(
          `${from} matches ${winners.length} workspace functions equally well; add prodlens.alerts.codeMapping to choose`,
          rule,
        ),
        confidence: 'ambiguous',
        candidates: winners.map((w) => `${w.file}#${w.fn.qualifiedName}`),
      };
    }
    return none(`${from}, but no workspace function is named ${bareName(name)}`, rule);
  }

  private allFunctions(): Promise<Located[]> {
    this.everyFunction ??= (async () => {
      const max = this.o.maxFilesSearched ?? 5000;
      const files = [...this.o.files.list()].filter((f) => languageForPath(f)).slice(0, max);
      const out: Located[] = [];
      for (const file of files)
        for (const fn of (await this.o.functions.get(file)) ?? []) out.push({ file, fn });
      return out;
    })();
    return this.everyFunction;
  }
}

function first(
  labels: Readonly<Record<string, string>>,
  keys: readonly string[],
): string | undefined {
  for (const k of keys) {
    const v = labels[k];
    if (v) return v;
  }
  return undefined;
}

/** `GET /orders/{id}`, `/orders/:id`: an HTTP route, not a function name. */
function looksLikeRoute(name: string): boolean {
  return /\s/.test(name) || name.includes('/');
}

function reasonForNothing(
  name: string,
  l: Readonly<Record<string, string>>,
  span: string | undefined,
): string {
  const route = l.http_route ?? (span && looksLikeRoute(span) ? span : undefined);
  const service = l.service_name ?? l.service;
  const parts = [
    `${name || 'the alert'} has no code_function_name, code_filepath or usable span_name label`,
  ];
  if (route) parts.push(`its route ${route} cannot be mapped to a handler yet`);
  if (service) parts.push(`service ${service} alone does not point to a function`);
  parts.push(
    `add "prodlens.alerts.codeMapping": { "${name}": "path/to/file#function" } to place it`,
  );
  return parts.join('; ');
}

function hit(
  file: string,
  fn: FunctionRange,
  rule: AlertResolution['rule'],
  confidence: Confidence,
  explanation: string,
): AlertResolution {
  return { file, line: fn.startLine, function: fn.qualifiedName, rule, confidence, explanation };
}

function none(reason: string, rule: AlertResolution['rule'] = 'none'): AlertResolution {
  return { rule, confidence: 'none', explanation: reason, unresolvedReason: reason };
}
