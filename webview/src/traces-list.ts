// Recent, slowest and failed traces through the function. Rows are focusable; Enter or Space (or
// a click) opens the trace's waterfall, arrow keys move between rows.
import type {
  FunctionDetailsDto,
  TraceSourceDto,
  TraceSummaryDto,
  TraceTab,
} from '../../src/protocol/messages';
import { vscodeButton } from './controls';
import { button, el } from './dom';
import { formatMs, formatTime, nullableMs } from './format';

const TABS: { id: TraceTab; label: string }[] = [
  { id: 'recent', label: 'Recent' },
  { id: 'slowest', label: 'Slowest' },
  { id: 'failed', label: 'Failed' },
];

/** Opens a trace: `source` names the backend a row came from (undefined: the receiver's). */
export type OpenTrace = (traceId: string, source?: string) => void;

function row(t: TraceSummaryDto, open: OpenTrace, withSource: boolean): HTMLTableRowElement {
  const status = t.matchError
    ? 'error here'
    : t.error
      ? t.source
        ? 'error'
        : 'error elsewhere'
      : 'ok';
  const tr = el(
    'tr',
    {
      className: t.matchError || t.error ? 'error' : '',
      label: `${t.rootName}, ${formatMs(t.durationMs)}, ${status}${t.source ? `, from ${t.source}` : ''}`,
    },
    el('td', { text: formatTime(t.startMs) }),
    el('td', { className: 'name', text: t.rootName, title: t.rootName }),
    el('td', { className: 'muted', text: t.rootService }),
    el('td', { className: 'num', text: nullableMs(t.matchDurationMs) }),
    el('td', { className: 'num', text: formatMs(t.durationMs) }),
    el('td', { className: 'num', text: t.spanCount === null ? '–' : String(t.spanCount) }),
    el('td', { text: status }),
    withSource ? el('td', { className: 'muted source', text: t.source ?? 'receiver' }) : null,
  );
  tr.tabIndex = 0;
  tr.dataset.traceId = t.traceId;
  if (t.source !== undefined) tr.dataset.source = t.source;
  tr.addEventListener('click', () => open(t.traceId, t.source));
  tr.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      open(t.traceId, t.source);
    } else if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      const next = ev.key === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling;
      if (next instanceof HTMLElement) next.focus();
    }
  });
  return tr;
}

/**
 * Rows of the last draw by their data, reused when a new snapshot carries the same trace summary
 * (most rows, batch after batch). A row's handlers only use its own trace id and `open`, which
 * the panel keeps the same for its lifetime.
 */
let rowCache = new Map<string, HTMLTableRowElement>();

function cachedRows(
  traces: readonly TraceSummaryDto[],
  open: OpenTrace,
  withSource: boolean,
): HTMLTableRowElement[] {
  const next = new Map<string, HTMLTableRowElement>();
  const rows = traces.map((t) => {
    const key = JSON.stringify([t, withSource]);
    const r = (!next.has(key) && rowCache.get(key)) || row(t, open, withSource);
    next.set(key, r);
    return r;
  });
  rowCache = next;
  return rows;
}

/** Rows drawn at first; the rest wait for "Show more" so the first paint stays small. */
export const FIRST_ROWS = 20;

/** One line per trace backend: what it answered, or that it is being asked, or why it failed. */
function sourceNotes(sources: readonly TraceSourceDto[]): HTMLElement | null {
  if (sources.length === 0) return null;
  const list = el('ul', { className: 'trace-sources', label: 'Trace backends' });
  for (const s of sources) {
    const text = s.loading
      ? `${s.label}: asking…`
      : s.ok
        ? `${s.label}: answered`
        : s.stale
          ? `${s.label}: stale — ${s.message}`
          : `${s.label}: not answering — ${s.message}`;
    list.append(
      el('li', { className: s.loading ? 'muted loading' : s.ok ? 'muted' : 'error', text }),
    );
  }
  return list;
}

function emptyText(tab: TraceTab, sources: readonly TraceSourceDto[]): string {
  const labels = sources.map((s) => s.label).join(', ');
  if (sources.some((s) => s.loading))
    return `No ${tab === 'failed' ? 'failed ' : ''}traces through this function held in memory; asking ${labels}…`;
  return `No ${tab === 'failed' ? 'failed ' : ''}traces through this function in memory or from ${labels}.`;
}

export function tracesList(
  d: FunctionDetailsDto,
  tab: TraceTab,
  limit: number,
  actions: { setTab: (t: TraceTab) => void; open: OpenTrace; more: () => void },
): HTMLElement {
  const sources = d.traces.sources ?? [];
  const withSource = sources.length > 0;
  const all = d.traces[tab];
  const traces = all.slice(0, limit);
  const tabs = el('div', { className: 'tabs', role: 'group', label: 'Which traces' });
  for (const t of TABS) {
    const b = vscodeButton({
      className: t.id === tab ? 'tab selected' : 'tab',
      text: `${t.label} (${d.traces[t.id].length})`,
      secondary: t.id !== tab,
      onClick: () => actions.setTab(t.id),
    });
    b.setAttribute('aria-pressed', String(t.id === tab));
    b.dataset.tab = t.id;
    tabs.append(b);
  }
  const body = traces.length
    ? el(
        'table',
        { className: 'traces' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ...[
              'time',
              'root',
              'service',
              'this function',
              'trace',
              'spans',
              'status',
              ...(withSource ? ['source'] : []),
            ].map((h) => el('th', { text: h })),
          ),
        ),
        el('tbody', {}, ...cachedRows(traces, actions.open, withSource)),
      )
    : el('p', {
        className: 'empty',
        text: withSource
          ? emptyText(tab, sources)
          : tab === 'failed'
            ? 'No failed traces through this function are held.'
            : 'No traces through this function are held in memory.',
      });
  const rest = all.length - traces.length;
  const more =
    rest > 0
      ? button({ className: 'link more', text: `Show ${rest} more`, onClick: actions.more })
      : null;
  const title = withSource
    ? `Traces (${d.traces.held} held in memory, more from ${sources.map((s) => s.label).join(', ')})`
    : `Traces (${d.traces.held} held in memory)`;
  return el(
    'section',
    { className: 'traces-section', label: 'Traces' },
    el('h2', { text: title }),
    sourceNotes(sources),
    tabs,
    body,
    more,
  );
}
