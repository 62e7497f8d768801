// The details panel: renders host snapshots and requested traces (see src/protocol/messages.ts).
// The page is split into regions so a new snapshot (every data batch) redraws the numbers but
// leaves an open waterfall, and the keyboard focus in the traces list, where they were. A snapshot
// for the function already on show updates in place: regions whose data did not change are left
// alone and the charts get new data instead of new canvases. Charts are drawn a frame after the
// numbers and lists, which is what the 'snapshot' rendered event marks ('charts' follows).
import './styles.css';
import type {
  CodeLinkDto,
  FunctionDetailsDto,
  HostMessage,
  TraceTab,
} from '../../src/protocol/messages';
import { isHostMessage } from '../../src/protocol/messages';
import { Charts } from './charts';
import { Compare } from './compare';
import { defineControls, focusControl } from './controls';
import { el } from './dom';
import { errorsSection } from './errors';
import { histogram } from './histogram';
import { connectHost, takeInitialMessage } from './host';
import { afterNextPaint } from './later-scripts';
import { logsSection } from './logs';
import { UiState } from './state';
import { mappingNote, summary } from './summary';
import { onThemeChange } from './theme';
import { FIRST_ROWS, tracesList } from './traces-list';
import { waterfall } from './waterfall';

const host = connectHost();
const ui = new UiState(host);
const app = document.getElementById('app')!;
const top = el('div', { className: 'region-top' });
const summarySlot = el('div');
const chartsSlot = el('div');
const histogramSlot = el('div');
const compareSlot = el('div');
const traces = el('div', { className: 'region-traces' });
const trace = el('div', { className: 'region-trace' });
const rest = el('div', { className: 'region-rest' });
const errorsSlot = el('div');
const logsSlot = el('div');
const mappingSlot = el('div');
app.replaceChildren(top, traces, trace, rest);

let current: FunctionDetailsDto | undefined;
let openTraceId: string | undefined;
/** Which function (and window) the regions show, and what each was last drawn from. */
let shownKey: string | undefined;
const drawnFrom = new Map<HTMLElement, string>();
let charts: Charts | undefined;
let compare: Compare | undefined;
let traceRows = FIRST_ROWS;

/** Tests and the bench wait for this instead of guessing when drawing is done. */
function rendered(what: 'snapshot' | 'empty' | 'trace' | 'charts'): void {
  window.dispatchEvent(new CustomEvent('prodlens-rendered', { detail: what }));
}

const open = (c: CodeLinkDto) => host.post({ type: 'openLocation', file: c.file, line: c.line });

/**
 * Redraws a region only when its inputs changed (the same snapshot data twice is common). Keyboard
 * focus on an element with a data-log-key stays on the element with that key after the redraw.
 */
function region(slot: HTMLElement, inputs: unknown, build: () => Node[]): void {
  const key = JSON.stringify(inputs);
  if (drawnFrom.get(slot) === key) return;
  drawnFrom.set(slot, key);
  const active =
    document.activeElement instanceof HTMLElement && slot.contains(document.activeElement)
      ? document.activeElement.dataset.logKey
      : undefined;
  slot.replaceChildren(...build());
  // Compared, not selected: a key holds production text (a selector could not carry every character).
  if (active !== undefined)
    [...slot.querySelectorAll<HTMLElement>('[data-log-key]')]
      .find((e) => e.dataset.logKey === active)
      ?.focus();
}

function reset(): void {
  charts?.dispose();
  charts = undefined;
  compare = undefined;
  shownKey = undefined;
  drawnFrom.clear();
  traceRows = FIRST_ROWS;
}

function renderEmpty(title: string, reason: string): void {
  current = undefined;
  reset();
  top.replaceChildren(el('h1', { text: title }), el('p', { className: 'empty', text: reason }));
  traces.replaceChildren();
  rest.replaceChildren();
  rendered('empty');
}

function renderTraces(d: FunctionDetailsDto): void {
  // Keep keyboard focus on the same trace row (or tab) across redraws.
  const active =
    document.activeElement instanceof HTMLElement && traces.contains(document.activeElement)
      ? document.activeElement
      : undefined;
  const focusTrace = active?.dataset.traceId;
  const focusTab = active?.dataset.tab;
  traces.replaceChildren(
    tracesList(d, ui.tab, traceRows, {
      setTab: (t: TraceTab) => {
        ui.update({ tab: t });
        traceRows = FIRST_ROWS;
        renderTraces(d);
      },
      open: (id, source) => void openTrace(id, true, source),
      more: () => {
        traceRows = Infinity;
        renderTraces(d);
        // Focus the first row that was not shown before, so keyboard users continue from there.
        traces.querySelectorAll<HTMLElement>('table.traces tbody tr')[FIRST_ROWS]?.focus();
      },
    }),
  );
  drawnFrom.set(traces, JSON.stringify([d.traces, ui.tab, traceRows]));
  const again = focusTrace
    ? traces.querySelector<HTMLElement>(`tr[data-trace-id="${CSS.escape(focusTrace)}"]`)
    : focusTab
      ? traces.querySelector<HTMLElement>(`[data-tab="${CSS.escape(focusTab)}"]`)
      : null;
  focusControl(again);
}

function render(d: FunctionDetailsDto): void {
  const first = current === undefined;
  current = d;
  ui.showing(d.file, d.qualifiedName, d.startLine);
  const key = JSON.stringify([d.file, d.qualifiedName, d.window, d.environment]);
  if (key !== shownKey) {
    reset();
    shownKey = key;
    const width = Math.max(320, Math.min((app.clientWidth || 700) - 8, 900));
    charts = new Charts(d.stats, width);
    chartsSlot.replaceChildren(charts.element);
    compare = new Compare();
    compareSlot.replaceChildren(compare.element);
    top.replaceChildren(summarySlot, chartsSlot, histogramSlot, compareSlot);
    rest.replaceChildren(errorsSlot, logsSlot, mappingSlot);
  } else charts!.update(d.stats);
  const { traces: _t, errors: _e, histogram: _h, compare: _c, logs: _l, ...head } = d;
  region(summarySlot, head, () => [
    summary(d, {
      open,
      refresh: () => host.post({ type: 'refresh' }),
      setWindow: (w) => host.post({ type: 'setWindow', window: w }),
      setEnvironment: (e) => host.post({ type: 'setEnvironment', environment: e }),
    }),
  ]);
  region(histogramSlot, d.histogram, () => [histogram(d.histogram)]);
  if (drawnFrom.get(compareSlot) !== JSON.stringify(d.compare)) {
    drawnFrom.set(compareSlot, JSON.stringify(d.compare));
    compare!.update(d.compare);
  }
  if (drawnFrom.get(traces) !== JSON.stringify([d.traces, ui.tab, traceRows])) renderTraces(d);
  // Errors and logs are drawn with the other lists, before 'snapshot' (the charts come after).
  region(errorsSlot, d.errors, () => [
    errorsSection(d.errors, { open, openTrace: (id) => void openTrace(id, true) }),
  ]);
  region(logsSlot, [d.logs, d.stats.windowLabel], () => [
    logsSection(d.logs, d.stats.windowLabel, { open, openTrace: (id) => void openTrace(id, true) }),
  ]);
  region(mappingSlot, d.mapping, () => [mappingNote(d)]);
  rendered('snapshot');
  drawCharts();
  // After a reload the serializer's state names the trace that was open: reopen it.
  if (first && ui.selectedTraceId && !openTraceId)
    void openTrace(ui.selectedTraceId, false, ui.selectedTraceSource);
}

/**
 * Canvases once the numbers and lists are on screen: the second frame from now starts after the
 * first one is painted, and a task from there leaves that frame free too.
 */
function drawCharts(): void {
  const c = charts;
  requestAnimationFrame(() =>
    requestAnimationFrame(() =>
      setTimeout(() => {
        if (c !== charts || !c) return;
        void c.draw().then(() => {
          if (c === charts) rendered('charts');
        });
      }, 0),
    ),
  );
}

/**
 * Shows a trace's waterfall. A backend's trace (`source`) is fetched by the host in the background:
 * the region says so until the answer (or the backend's error) arrives; the rest of the panel stays.
 */
async function openTrace(traceId: string, focus: boolean, source?: string): Promise<void> {
  openTraceId = traceId;
  ui.update({ selectedTraceId: traceId, selectedTraceSource: source });
  const loading = el('p', {
    className: 'empty trace-loading',
    text: source ? `Loading trace ${traceId} from ${source}…` : 'Loading the trace…',
  });
  loading.setAttribute('role', 'status');
  trace.replaceChildren(loading);
  try {
    const t = await host.request('getTrace', source ? { traceId, source } : { traceId });
    if (openTraceId !== traceId) return;
    trace.replaceChildren(waterfall(t, { open, close: closeTrace }));
    if (focus) trace.querySelector<HTMLElement>('.wf-row[tabindex="0"]')?.focus();
  } catch (e) {
    if (openTraceId !== traceId) return;
    const msg = el('p', {
      className: 'trace-error error',
      text: e instanceof Error ? e.message : String(e),
    });
    msg.setAttribute('role', 'alert');
    trace.replaceChildren(msg);
  }
  rendered('trace');
}

function closeTrace(): void {
  const id = openTraceId;
  openTraceId = undefined;
  ui.update({ selectedTraceId: undefined, selectedTraceSource: undefined });
  trace.replaceChildren();
  if (id) traces.querySelector<HTMLElement>(`tr[data-trace-id="${CSS.escape(id)}"]`)?.focus();
}

// Ready as soon as messages can be received: the host starts building its next snapshot while the
// page draws the first one, which came inside its HTML (its reply is a later task).
const initial = takeInitialMessage();
host.post({ type: 'ready' });

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
  // Canvas colours are resolved at draw time: new charts for the new theme.
  if (!current) return;
  const d = current;
  shownKey = undefined;
  render(d);
});

if (isHostMessage(initial) && initial.type !== 'response') handle(initial);
else renderEmpty('ProdLens', 'Loading…');
// The buttons' library is defined once the first frame is on screen (see controls.ts).
afterNextPaint(() => void defineControls().catch(() => undefined));
