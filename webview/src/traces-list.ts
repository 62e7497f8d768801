// Recent, slowest and failed traces through the function. Rows are focusable; Enter or Space (or
// a click) opens the trace's waterfall, arrow keys move between rows.
import type { FunctionDetailsDto, TraceSummaryDto, TraceTab } from '../../src/protocol/messages';
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

export function tracesList(d: FunctionDetailsDto, tab: TraceTab, actions: { setTab: (t: TraceTab) => void; open: (traceId: string) => void }): HTMLElement {
  const traces = d.traces[tab];
  const tabs = el('div', { className: 'tabs', role: 'group', label: 'Which traces' });
  for (const t of TABS) {
    const b = button({ className: t.id === tab ? 'tab selected' : 'tab', text: `${t.label} (${d.traces[t.id].length})`, onClick: () => actions.setTab(t.id) });
    b.setAttribute('aria-pressed', String(t.id === tab));
    b.dataset.tab = t.id;
    tabs.append(b);
  }
  const body = traces.length
    ? el(
        'table',
        { className: 'traces' },
        el('thead', {}, el('tr', {}, ...['time', 'root', 'service', 'this function', 'trace', 'spans', 'status'].map((h) => el('th', { text: h })))),
        el('tbody', {}, ...traces.map((t) => row(t, actions.open))),
      )
    : el('p', { className: 'empty', text: tab === 'failed' ? 'No failed traces through this function are held.' : 'No traces through this function are held in memory.' });
  return el('section', { className: 'traces-section', label: 'Traces' }, el('h2', { text: `Traces (${d.traces.held} held in memory)` }), tabs, body);
}
