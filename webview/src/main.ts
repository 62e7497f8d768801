// The details panel: renders host snapshots and requested traces (see src/protocol/messages.ts).
// The page is split into regions so a new snapshot (every data batch) redraws the numbers but
// leaves an open waterfall, and the keyboard focus in the traces list, where they were.
import './styles.css';
import type { CodeLinkDto, FunctionDetailsDto, HostMessage, TraceTab } from '../../src/protocol/messages';
import { isHostMessage } from '../../src/protocol/messages';
import { charts } from './charts';
import { el } from './dom';
import { errorsSection } from './errors';
import { histogram } from './histogram';
import { connectHost } from './host';
import { UiState } from './state';
import { mappingNote, summary } from './summary';
import { onThemeChange } from './theme';
import { tracesList } from './traces-list';
import { waterfall } from './waterfall';

const host = connectHost();
const ui = new UiState(host);
const app = document.getElementById('app')!;
const top = el('div', { className: 'region-top' });
const traces = el('div', { className: 'region-traces' });
const trace = el('div', { className: 'region-trace' });
const rest = el('div', { className: 'region-rest' });
app.replaceChildren(top, traces, trace, rest);

let current: FunctionDetailsDto | undefined;
let openTraceId: string | undefined;

/** Tests and the bench wait for this instead of guessing when drawing is done. */
function rendered(what: 'snapshot' | 'empty' | 'trace'): void {
  window.dispatchEvent(new CustomEvent('prodlens-rendered', { detail: what }));
}

const open = (c: CodeLinkDto) => host.post({ type: 'openLocation', file: c.file, line: c.line });

function renderEmpty(title: string, reason: string): void {
  current = undefined;
  top.replaceChildren(el('h1', { text: title }), el('p', { className: 'empty', text: reason }));
  traces.replaceChildren();
  rest.replaceChildren();
  rendered('empty');
}

function renderTraces(d: FunctionDetailsDto): void {
  // Keep keyboard focus on the same trace row (or tab) across redraws.
  const active = document.activeElement instanceof HTMLElement && traces.contains(document.activeElement) ? document.activeElement : undefined;
  const focusTrace = active?.dataset.traceId;
  const focusTab = active?.dataset.tab;
  traces.replaceChildren(
    tracesList(d, ui.tab, {
      setTab: (t: TraceTab) => {
        ui.update({ tab: t });
        renderTraces(d);
      },
      open: (id) => void openTrace(id, true),
    }),
  );
  const again = focusTrace ? traces.querySelector<HTMLElement>(`tr[data-trace-id="${CSS.escape(focusTrace)}"]`) : focusTab ? traces.querySelector<HTMLElement>(`button[data-tab="${CSS.escape(focusTab)}"]`) : null;
  again?.focus();
}

function render(d: FunctionDetailsDto): void {
  const first = current === undefined;
  current = d;
  ui.showing(d.file, d.qualifiedName, d.startLine);
  const width = Math.max(320, Math.min((app.clientWidth || 700) - 8, 900));
  top.replaceChildren(
    summary(d, {
      open,
      refresh: () => host.post({ type: 'refresh' }),
      setWindow: (w) => host.post({ type: 'setWindow', window: w }),
      setEnvironment: (e) => host.post({ type: 'setEnvironment', environment: e }),
    }),
    charts(d.stats, width),
    histogram(d.histogram),
  );
  renderTraces(d);
  rest.replaceChildren(errorsSection(d.errors, { open, openTrace: (id) => void openTrace(id, true) }), mappingNote(d));
  rendered('snapshot');
  // After a reload the serializer's state names the trace that was open: reopen it.
  if (first && ui.selectedTraceId && !openTraceId) void openTrace(ui.selectedTraceId, false);
}

async function openTrace(traceId: string, focus: boolean): Promise<void> {
  openTraceId = traceId;
  ui.update({ selectedTraceId: traceId });
  trace.replaceChildren(el('p', { className: 'empty', text: 'Loading the trace…' }));
  try {
    const t = await host.request('getTrace', { traceId });
    if (openTraceId !== traceId) return;
    trace.replaceChildren(waterfall(t, { open, close: closeTrace }));
    if (focus) trace.querySelector<HTMLElement>('.wf-row')?.focus();
  } catch (e) {
    if (openTraceId !== traceId) return;
    trace.replaceChildren(el('p', { className: 'empty', text: e instanceof Error ? e.message : String(e) }));
  }
  rendered('trace');
}

function closeTrace(): void {
  const id = openTraceId;
  openTraceId = undefined;
  ui.update({ selectedTraceId: undefined });
  trace.replaceChildren();
  if (id) traces.querySelector<HTMLElement>(`tr[data-trace-id="${CSS.escape(id)}"]`)?.focus();
}

window.addEventListener('message', (ev: MessageEvent<unknown>) => {
  const m = ev.data;
  if (!isHostMessage(m)) return;
  handle(m);
});

function handle(m: HostMessage): void {
  if (m.type === 'snapshot') render(m.details);
  else if (m.type === 'empty') renderEmpty(m.title, m.reason);
  else host.receive(m);
}

onThemeChange(() => {
  if (current) render(current);
});

renderEmpty('ProdLens', 'Loading…');
host.post({ type: 'ready' });
