// Finds the log statements in one source file: logger, console and print calls whose message is a
// literal or a template, and turns the message into the literal parts a printed line must contain
// in order. Placeholders of every common style become gaps: printf `%s %d %(name)s`, Python
// f-strings and str.format `{…}`, JS template literals `${…}`, slf4j `{}`, .NET message templates
// `{OrderId}`, Ruby `#{…}`. Text patterns, not a parse, so a large workspace indexes in seconds.
import { callArguments, LineMap } from '../workspace/source-text';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'print';

export interface LogStatement {
  file: string;
  /** 1-based line of the call. */
  line: number;
  level: LogLevel;
  /** The message as written in the code (quotes removed). */
  template: string;
  /** The literal text between placeholders, in order; a printed line contains each in turn. */
  parts: string[];
  /** Whether the message starts / ends with literal text (a printed message then starts/ends with it). */
  anchoredStart: boolean;
  anchoredEnd: boolean;
}

const LEVELS: Record<string, LogLevel> = {
  trace: 'trace',
  verbose: 'trace',
  debug: 'debug',
  fine: 'debug',
  info: 'info',
  information: 'info',
  log: 'info',
  notice: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  exception: 'error',
  severe: 'error',
  critical: 'fatal',
  fatal: 'fatal',
  panic: 'fatal',
  print: 'print',
  println: 'print',
  printf: 'print',
};

// Receiver (logger, console, self.log, _logger, log, slog, zap's sugar, Rails.logger …) and level.
const CALL =
  /(?:\b(?:console|logging|slog|log|logger|LOG|LOGGER|Log|Logger|_log|_logger|self\.log(?:ger)?|this\.log(?:ger)?|this\._?logger|Rails\.logger|\$this->logger|\$logger|[a-z]\w*(?:Log|Logger))(?:\.|->|::)(?:Log)?(trace|verbose|debug|fine|info|information|notice|log|warn|warning|error|exception|severe|critical|fatal|panic|Trace|Debug|Info|Information|Warn|Warning|Error|Critical|Fatal|Panic|Printf|Println|Print|Fatalf|Panicf|Infof|Warnf|Errorf|Debugf|Infow|Warnw|Errorw|Debugw)\s*\(|\bprint\s*\()/g;
// Child loggers (pino, winston, bunyan): `logger.child({ reqId }).info(…)`, `log.child(…).warn(…)`.
const CHILD_CALL = /\.child\s*\([^()]*\)\s*\.(trace|debug|info|warn|error|fatal)\s*\(/g;
// PHP's error_log(…) (usually around sprintf), at error level.
const PHP_ERROR_LOG = /\berror_log\s*\(/g;
// Ruby's Kernel#warn and puts, and loggers called without parentheses (`Rails.logger.info "…"`).
const RUBY_BARE =
  /^[ \t]*(?:(warn|puts)|(?:Rails\.logger|logger|@logger)\.(debug|info|warn|error|fatal))[ \t]+(?=["'])/gm;
const HINT = /console\.|log|Log|LOG|print|puts|warn/;

interface CallSite {
  index: number;
  level: LogLevel;
  /** Offset of the call's `(`; for a Ruby call without parentheses, of its first argument. */
  open: number;
  bare?: boolean;
}

/** Every logging call site in the text, in order. */
function callSites(text: string, ext: string): CallSite[] {
  const sites: CallSite[] = [];
  CALL.lastIndex = 0;
  for (let m = CALL.exec(text); m; m = CALL.exec(text)) {
    if (m[0].startsWith('print') && ext !== 'py') continue;
    sites.push({
      index: m.index,
      level: m[1] ? levelOf(m[1]) : 'print',
      open: m.index + m[0].length - 1,
    });
  }
  CHILD_CALL.lastIndex = 0;
  for (let m = CHILD_CALL.exec(text); m; m = CHILD_CALL.exec(text))
    sites.push({ index: m.index, level: levelOf(m[1]!), open: m.index + m[0].length - 1 });
  if (ext === 'php') {
    PHP_ERROR_LOG.lastIndex = 0;
    for (let m = PHP_ERROR_LOG.exec(text); m; m = PHP_ERROR_LOG.exec(text))
      sites.push({ index: m.index, level: 'error', open: m.index + m[0].length - 1 });
  }
  if (ext === 'rb') {
    RUBY_BARE.lastIndex = 0;
    for (let m = RUBY_BARE.exec(text); m; m = RUBY_BARE.exec(text)) {
      const level: LogLevel = m[1] === 'warn' ? 'warn' : m[1] === 'puts' ? 'print' : levelOf(m[2]!);
      sites.push({
        index: m.index + (m[0].length - m[0].trimStart().length),
        level,
        open: m.index + m[0].length,
        bare: true,
      });
    }
  }
  return sites.sort((a, b) => a.index - b.index);
}

/** A Ruby argument list without parentheses: up to the end of the line, split on top-level commas. */
function bareArguments(
  text: string,
  start: number,
): { text: string; offset: number }[] | undefined {
  const end = text.indexOf('\n', start);
  return callArguments(`(${text.slice(start, end < 0 ? text.length : end)})`, 0)?.map((a) => ({
    text: a.text,
    offset: start + a.offset - 1,
  }));
}

export function extractLogStatements(file: string, text: string): LogStatement[] {
  const ext = file.slice(file.lastIndexOf('.') + 1).toLowerCase();
  const style = STYLES[ext];
  if (!style || !HINT.test(text)) return [];
  const lines = new LineMap(text);
  const out: LogStatement[] = [];
  for (const site of callSites(text, ext)) {
    const level = site.level;
    const args = site.bare ? bareArguments(text, site.open) : callArguments(text, site.open);
    if (!args || args.length === 0) continue;
    // Go's zap/slog and .NET put the message first; a leading context argument is skipped.
    const first = args.find((a) => messageLiteral(a.text, style) !== undefined);
    if (!first) continue;
    const { text: template, concatenated } = messageLiteral(first.text, style)!;
    const parts = splitTemplate(template, style);
    if (concatenated) parts.anchoredEnd = false;
    const literal = parts.parts.join('');
    if (literal.replace(/\W/g, '').length < 3) continue; // "%s", "{}": nothing to recognise a line by
    out.push({ file, line: lines.lineAt(site.index), level, template, ...parts });
  }
  return out;
}

function levelOf(raw: string): LogLevel {
  const k = raw.toLowerCase().replace(/(?:f|w|ln)$/, '');
  return LEVELS[k] ?? LEVELS[raw.toLowerCase()] ?? 'info';
}

type Style = 'js' | 'py' | 'java' | 'go' | 'cs' | 'rb' | 'php';

const STYLES: Record<string, Style> = {
  js: 'js',
  mjs: 'js',
  cjs: 'js',
  jsx: 'js',
  ts: 'js',
  mts: 'js',
  cts: 'js',
  tsx: 'js',
  py: 'py',
  java: 'java',
  kt: 'java',
  go: 'go',
  cs: 'cs',
  rb: 'rb',
  php: 'php',
};

/**
 * The message text of an argument that is a string literal (or a format call around one);
 * `concatenated` when more text is joined on after it (`"order " + id`).
 */
function messageLiteral(
  arg: string,
  style: Style,
): { text: string; concatenated: boolean } | undefined {
  let a = arg.trim();
  const format =
    /^(?:String\.format|fmt\.Sprintf|util\.format|sprintf|string\.Format)\s*\(([\s\S]*)\)$/.exec(a);
  if (format)
    a = format[1]!
      .trim()
      .split(/,(?=(?:[^"'`]*["'`][^"'`]*["'`])*[^"'`]*$)/)[0]!
      .trim();
  // `"…" % args` and `"…".format(…)` (Python), `"…" + x` concatenations: the leading literal.
  const m =
    /^(?:[fFrRbBuU]{0,2})("""|'''|["'`])([\s\S]*?)\1/.exec(a) ??
    (style === 'cs' ? /^\$?@?(")([\s\S]*?)"/.exec(a) : null);
  if (!m) return undefined;
  const rest = a.slice(m[0].length).trim();
  // PHP joins strings with `.`: `"redeemed " . $n . " times"`.
  const phpJoin = style === 'php' && /^\.(?!\w*\s*\()/.test(rest);
  if (rest && !phpJoin && !/^(?:%|\.format\s*\(|\+|,|\))/.test(rest)) return undefined;
  return { text: m[2]!, concatenated: rest.startsWith('+') || phpJoin };
}

/** Placeholder patterns per style, applied to the literal message. */
function placeholderRe(style: Style): RegExp {
  const common = '%(?:\\([\\w.]+\\))?[-+ #0]*\\d*(?:\\.\\d+)?[sdifgeExXorcjvqtTpwbOa%]';
  switch (style) {
    case 'js':
      return new RegExp(`\\$\\{[^}]*\\}|${common}`, 'g');
    case 'py':
      return new RegExp(`\\{[^{}]*\\}|${common}`, 'g');
    case 'java':
      return new RegExp(`\\{\\}|\\{\\d+\\}|${common}`, 'g');
    case 'cs':
      return new RegExp(`\\{[^{}]*\\}|${common}`, 'g');
    case 'rb':
      return new RegExp(`#\\{[^}]*\\}|${common}`, 'g');
    case 'php':
      return new RegExp(`\\{?\\$[\\w\\->\\[\\]']+\\}?|\\{\\w+\\}|${common}`, 'g');
    default:
      return new RegExp(common, 'g');
  }
}

function splitTemplate(
  template: string,
  style: Style,
): Pick<LogStatement, 'parts' | 'anchoredStart' | 'anchoredEnd'> {
  const re = placeholderRe(style);
  const parts: string[] = [];
  let last = 0;
  let anchoredStart = true;
  let anchoredEnd = true;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    if (m[0] === '%%') continue;
    if (m.index === 0) anchoredStart = false;
    parts.push(unescape(template.slice(last, m.index)));
    last = m.index + m[0].length;
    if (last === template.length) anchoredEnd = false;
  }
  parts.push(unescape(template.slice(last)));
  return { parts: parts.filter((p) => p.length > 0), anchoredStart, anchoredEnd };
}

function unescape(s: string): string {
  return s
    .replace(/\\n/g, '\n')
    .replace(/\\t/g, '\t')
    .replace(/\\(["'`\\])/g, '$1')
    .replace(/%%/g, '%')
    .replace(/\{\{/g, '{')
    .replace(/\}\}/g, '}');
}
