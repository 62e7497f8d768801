// Recent, slowest and failed traces through the function. Rows are focusable; Enter or Space (or
// a click) opens the trace's waterfall, arrow keys move between rows.
import type { FunctionDetailsDto, TraceSummaryDto, TraceTab } from '../../src/protocol/messages';
import { vscodeButton } from './controls';
import { button, el } from './dom';
import { formatMs, formatTime } from './format';

const TABS: { id: TraceTab; label: string }[] = [
  { id: 'recent', label: 'Recent' },
  { id: 'slowest', label: 'Slowest' },
  { id: 'failed', label: 'Failed' },
];

function row(t: TraceSummaryDto, open: (id: string) => void): HTMLTableRowElement {
  const status = t.matchError ? 'error here' : t.error ? 'error elsewhere' : 'ok';
  const tr = el(
    'tr',
    { className: t.matchError || t.error ? 'error' : '', label: `${t.rootName}, ${formatMs(t.durationMs)}, ${status}` },
    el('td', { text: formatTime(t.startMs) }),
    el('td', { className: 'name', text: t.rootName, title: t.rootName }),
    el('td', { className: 'muted', text: t.rootService }),
    el('td', { className: 'num', text: formatMs(t.matchDurationMs) }),
    el('td', { className: 'num', text: formatMs(t.durationMs) }),
    el('td', { className: 'num', text: String(t.spanCount) }),
    el('td', { text: status }),
  );
  tr.tabIndex = 0;
  tr.dataset.traceId = t.traceId;
  tr.addEventListener('click', () => open(t.traceId));
  tr.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      open(t.traceId);
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

function cachedRows(traces: readonly TraceSummaryDto[], open: (id: string) => void): HTMLTableRowElement[] {
  const next = new Map<string, HTMLTableRowElement>();
  const rows = traces.map((t) => {
    const key = JSON.stringify(t);
    const r = (!next.has(key) && rowCache.get(key)) || row(t, open);
    next.set(key, r);
    return r;
  });
  rowCache = next;
  return rows;
}

/** Rows drawn at first; the rest wait for "Show more" so the first paint stays small. */
export const FIRST_ROWS = 20;

export function tracesList(d: FunctionDetailsDto, tab: TraceTab, limit: number, actions: { setTab: (t: TraceTab) => void; open: (traceId: string) => void; more: () => void }): HTMLElement {
  const all = d.traces[tab];
  const traces = all.slice(0, limit);
  const tabs = el('div', { className: 'tabs', role: 'group', label: 'Which traces' });
  for (const t of TABS) {
    const b = vscodeButton({ className: t.id === tab ? 'tab selected' : 'tab', text: `${t.label} (${d.traces[t.id].length})`, secondary: t.id !== tab, onClick: () => actions.setTab(t.id) });
    b.setAttribute('aria-pressed', String(t.id === tab));
    b.dataset.tab = t.id;
    tabs.append(b);
  }
  const body = traces.length
    ? el(
        'table',
        { className: 'traces' },
        el('thead', {}, el('tr', {}, ...['time', 'root', 'service', 'this function', 'trace', 'spans', 'status'].map((h) => el('th', { text: h })))),
        el('tbody', {}, ...cachedRows(traces, actions.open)),
      )
    : el('p', { className: 'empty', text: tab === 'failed' ? 'No failed traces through this function are held.' : 'No traces through this function are held in memory.' });
  const rest = all.length - traces.length;
  const more = rest > 0 ? button({ className: 'link more', text: `Show ${rest} more`, onClick: actions.more }) : null;
  return el('section', { className: 'traces-section', label: 'Traces' }, el('h2', { text: `Traces (${d.traces.held} held in memory)` }), tabs, body, more);
}
