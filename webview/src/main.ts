// The details panel: renders host snapshots (see src/protocol/messages.ts). Keyboard reachable
// (buttons, focusable rows), theme-aware (only --vscode-* variables in styles.css).
import './styles.css';
import type { FunctionDetailsDto, HostMessage } from '../../src/protocol/messages';
import { el } from './dom';
import { formatCount, formatErrorRate, formatMs } from './format';
import { connectHost } from './host';
import { latencyChart } from './latency-chart';

const host = connectHost();
const app = document.getElementById('app')!;

function nullableMs(v: number | null): string {
  return v === null ? '–' : formatMs(v);
}

function renderEmpty(title: string, reason: string): void {
  app.replaceChildren(el('h1', { text: title }), el('p', { className: 'empty', text: reason }));
}

function render(d: FunctionDetailsDto): void {
  host.setState({ file: d.file, qualifiedName: d.qualifiedName, startLine: d.startLine });
  const s = d.stats;
  const open = el('button', { className: 'link', text: `${d.file}:${d.startLine}`, title: 'Open the function in the editor' });
  open.addEventListener('click', () => host.postMessage({ type: 'openFunction', file: d.file, line: d.startLine }));
  const refresh = el('button', { className: 'icon', title: 'Refresh' }, el('span', { className: 'codicon codicon-refresh' }));
  refresh.setAttribute('aria-label', 'Refresh');
  refresh.addEventListener('click', () => host.postMessage({ type: 'refresh' }));

  const table = el(
    'table',
    { className: 'percentiles' },
    el('thead', {}, el('tr', {}, ...['p50', 'p90', 'p95', 'p99', 'max'].map((h) => el('th', { text: h })))),
    el('tbody', {}, el('tr', {}, ...[s.p50Ms, s.p90Ms, s.p95Ms, s.p99Ms, s.maxMs].map((v) => el('td', { text: nullableMs(v) })))),
  );
  const rows = d.recentSpans.map((sp) => {
    const tr = el(
      'tr',
      { className: sp.error ? 'error' : '' },
      el('td', { text: new Date(sp.startMs).toLocaleTimeString() }),
      el('td', { text: formatMs(sp.durationMs) }),
      el('td', { text: sp.error ? `error${sp.statusMessage ? `: ${sp.statusMessage}` : ''}` : 'ok' }),
      el('td', { text: sp.name }),
      el('td', { className: 'mono', text: sp.traceId }),
    );
    tr.tabIndex = 0;
    return tr;
  });
  app.replaceChildren(
    el('header', {}, el('h1', { text: d.qualifiedName }), refresh),
    el('p', { className: 'sub' }, open, ` · ${d.services.join(', ')}${d.environments.filter(Boolean).length ? ` · ${d.environments.join(', ')}` : ''} · last ${s.windowLabel}`),
    el('section', { className: 'kpis' }, kpi('spans', formatCount(s.count)), kpi('per min', formatCount(s.ratePerMin)), kpi('errors', `${formatErrorRate(s.errors, s.count)} (${s.errors})`)),
    table,
    el('h2', { text: 'Latency over the window (p50, p95)' }),
    latencyChart(s.points),
    el('h2', { text: 'How these numbers were mapped' }),
    el('p', {}, el('code', { text: d.mapping.rule }), ` · ${d.mapping.confidence} confidence · `, d.mapping.explanation),
    el('h2', { text: `Recent spans (${d.recentSpans.length})` }),
    d.recentSpans.length
      ? el('table', { className: 'spans' }, el('thead', {}, el('tr', {}, ...['time', 'duration', 'status', 'span', 'trace id'].map((h) => el('th', { text: h })))), el('tbody', {}, ...rows))
      : el('p', { className: 'empty', text: 'No raw spans for this function are held in memory (only the most recent spans are kept).' }),
  );
}

function kpi(label: string, value: string): HTMLElement {
  return el('div', { className: 'kpi' }, el('div', { className: 'value', text: value }), el('div', { className: 'label', text: label }));
}

window.addEventListener('message', (ev: MessageEvent<HostMessage>) => {
  const m = ev.data;
  if (m.type === 'snapshot') render(m.details);
  else if (m.type === 'empty') renderEmpty(m.title, m.reason);
});

renderEmpty('ProdLens', 'Loading…');
host.postMessage({ type: 'ready' });
