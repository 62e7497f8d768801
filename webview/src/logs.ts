// Log lines printed by the function's log statements in the window: per statement its counts by
// level, its template and line, then its latest lines (time, level, service, body). Bodies are
// production text and go through el() like every other string (textContent, controls shown as
// code points). A statement or a line opens the statement's line; a line's trace id opens that
// trace in the panel. Lines are focusable, arrow keys move between them.
import type {
  CodeLinkDto,
  LogLevelDto,
  LogLineDto,
  LogsDto,
  LogStatementDto,
} from '../../src/protocol/messages';
import { button, el, icon } from './dom';
import { formatCount, formatTime } from './format';

const ORDER: LogLevelDto[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'print',
  'unknown',
];
const ICONS: Record<LogLevelDto, string> = {
  fatal: 'error',
  error: 'error',
  warn: 'warning',
  info: 'info',
  debug: 'debug',
  trace: 'debug',
  print: 'output',
  unknown: 'output',
};
/** The ids the host accepts in a getTrace request (src/protocol/messages.ts). */
const TRACE_ID = /^[0-9a-f]{1,64}$/i;
const MAX_LABEL = 300;

export interface LogsActions {
  open: (c: CodeLinkDto) => void;
  openTrace: (traceId: string) => void;
}

function levelCounts(s: LogStatementDto): string {
  return ORDER.filter((l) => s.byLevel[l])
    .map((l) => `${formatCount(s.byLevel[l]!)} ${l}`)
    .join(', ');
}

/** Stable across snapshots, so the panel can keep keyboard focus on the same statement or line. */
export function statementKey(s: LogStatementDto): string {
  return `s\u0000${s.file}\u0000${s.line}\u0000${s.template}`;
}

function lineKey(s: LogStatementDto, l: LogLineDto): string {
  return `l\u0000${s.file}\u0000${s.template}\u0000${l.timeMs}\u0000${l.spanId}\u0000${l.body.slice(0, 100)}`;
}

function moveFocus(from: HTMLElement, down: boolean): void {
  const all = [
    ...(from.closest('section.logs')?.querySelectorAll<HTMLElement>('[data-log-key]') ?? []),
  ];
  all[all.indexOf(from) + (down ? 1 : -1)]?.focus();
}

function lineRow(s: LogStatementDto, l: LogLineDto, actions: LogsActions): HTMLElement {
  const at = { file: s.file, line: s.line };
  const oneLine = l.body.replace(/\s+/g, ' ');
  const trace = l.traceId
    ? TRACE_ID.test(l.traceId)
      ? button({
          className: 'link log-trace',
          text: `trace ${l.traceId.slice(0, 8)}`,
          title: `Open trace ${l.traceId} in the panel`,
          onClick: () => actions.openTrace(l.traceId),
        })
      : el('span', {
          className: 'muted mono log-trace',
          text: `trace ${l.traceId.length > 40 ? `${l.traceId.slice(0, 40)}…` : l.traceId}`,
          title: l.traceId,
        })
    : null;
  const li = el(
    'li',
    {
      className: `log-line level-${l.level}`,
      label: `${l.level} at ${formatTime(l.timeMs)} from ${l.service}: ${oneLine.length > MAX_LABEL ? `${oneLine.slice(0, MAX_LABEL)}…` : oneLine}`,
    },
    el('span', { className: 'log-time num', text: formatTime(l.timeMs) }),
    el('span', { className: 'log-level' }, icon(ICONS[l.level]), l.level),
    el('span', { className: 'log-service muted', text: l.service }),
    el('span', { className: 'log-body mono', text: l.body }),
    trace,
  );
  li.tabIndex = 0;
  li.dataset.logKey = lineKey(s, l);
  li.title = `Open ${s.file}:${s.line}`;
  li.addEventListener('click', () => actions.open(at));
  li.addEventListener('keydown', (ev) => {
    if (ev.target !== li) return; // Enter on the trace button is the button's
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      actions.open(at);
    } else if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      moveFocus(li, ev.key === 'ArrowDown');
    }
  });
  return li;
}

function statementBlock(s: LogStatementDto, actions: LogsActions): HTMLElement {
  const head = button(
    {
      className: 'link log-statement-link',
      title: `Open ${s.file}:${s.line}`,
      label: `${s.level} statement at line ${s.line}: ${s.template}`,
      onClick: () => actions.open({ file: s.file, line: s.line }),
    },
    icon(ICONS[s.level]),
    el('code', { text: s.template }),
    el('span', { className: 'muted', text: ` · line ${s.line}` }),
  );
  head.dataset.logKey = statementKey(s);
  head.addEventListener('keydown', (ev) => {
    if (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp') return;
    ev.preventDefault();
    moveFocus(head, ev.key === 'ArrowDown');
  });
  const approx = s.confidence === 'low' || s.confidence === 'medium' ? '≈' : '';
  const shown = s.latest.length < s.count ? ` · latest ${s.latest.length} shown` : '';
  return el(
    'div',
    { className: 'log-statement' },
    head,
    el('p', {
      className: 'log-counts muted',
      title: `Mapped by ${s.rule} (${s.confidence}): ${s.explanation}`,
      text: `${approx}${formatCount(s.count)} line${s.count === 1 ? '' : 's'} (${levelCounts(s)}) · last ${formatTime(s.lastSeenMs)}${shown}`,
    }),
    s.latest.length
      ? el(
          'ol',
          { className: 'log-lines', label: `Latest lines of line ${s.line}` },
          ...s.latest.map((l) => lineRow(s, l, actions)),
        )
      : null,
  );
}

export function logsSection(logs: LogsDto, windowLabel: string, actions: LogsActions): HTMLElement {
  const n = logs.statements.length;
  const title = n
    ? `Logs (${formatCount(logs.records)} from ${n} statement${n === 1 ? '' : 's'})`
    : 'Logs';
  const sec = el('section', { className: 'logs', label: 'Logs' }, el('h2', { text: title }));
  if (n === 0) {
    const why =
      logs.statementsInFunction === 0
        ? 'ProdLens found no log statements in this function (logger, console or print calls with a literal or template message).'
        : `Its ${logs.statementsInFunction} log statement${logs.statementsInFunction === 1 ? '' : 's'} matched no OTLP log records in the window (records are matched by their message text or code.* attributes).`;
    sec.append(
      el('p', {
        className: 'empty',
        text: `No log records from this function's log statements in the last ${windowLabel}.`,
      }),
      el('p', { className: 'muted', text: why }),
    );
    return sec;
  }
  for (const s of logs.statements) sec.append(statementBlock(s, actions));
  return sec;
}
