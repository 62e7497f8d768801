// A trace as a waterfall: one row per span in tree order, a bar at its offset and duration.
// Rows use a roving tabindex (one tab stop for the whole tree; arrows, Page Up/Down, Home and End
// move) so a 2,000-span trace is not 2,000 tab stops, and only rows near the viewport are in the DOM. Enter or Space shows a span's attributes and events.
// Spans mapped to code carry a link that opens the function.
import type { CodeLinkDto, TraceDto, WaterfallRowDto } from '../../src/protocol/messages';
import { vscodeButton } from './controls';
import { button, el, icon } from './dom';
import { formatMs } from './format';
import { framesList } from './frames';

const MAX_INDENT = 24;

export interface WaterfallActions {
  open: (c: CodeLinkDto) => void;
  close: () => void;
}

function spanDetails(r: WaterfallRowDto, actions: WaterfallActions): HTMLElement {
  const attrs = el('dl', { className: 'attributes' });
  for (const [k, v] of r.attributes) attrs.append(el('dt', { text: k }), el('dd', { text: v }));
  const events = el('ul', { className: 'events' });
  for (const e of r.events) {
    const item = el(
      'li',
      {},
      el('strong', { text: e.name }),
      el('span', { className: 'muted', text: ` at +${formatMs(e.offsetMs)}` }),
    );
    if (e.attributes.length) {
      const dl = el('dl', { className: 'attributes' });
      for (const [k, v] of e.attributes)
        if (k !== 'exception.stacktrace') dl.append(el('dt', { text: k }), el('dd', { text: v }));
      item.append(dl);
    }
    if (e.frames?.length) item.append(framesList(e.frames, actions.open));
    events.append(item);
  }
  const code = r.code;
  return el(
    'section',
    { className: 'span-details', label: `Span ${r.name}` },
    el('h3', { text: r.name }),
    el('p', {
      className: 'muted',
      text: `${r.service} · ${formatMs(r.durationMs)} · starts at +${formatMs(r.offsetMs)} · ${r.error ? `error${r.statusMessage ? `: ${r.statusMessage}` : ''}` : 'ok'}`,
    }),
    code
      ? button(
          {
            className: 'link',
            title: `Open ${code.file}:${code.line}`,
            onClick: () => actions.open(code),
          },
          icon('go-to-file'),
          ` ${code.qualifiedName} (${code.file}:${code.line})`,
        )
      : null,
    el('h4', { text: `Attributes (${r.attributes.length})` }),
    r.attributes.length ? attrs : el('p', { className: 'empty', text: 'None.' }),
    el('h4', { text: `Events (${r.events.length})` }),
    r.events.length ? events : el('p', { className: 'empty', text: 'None.' }),
  );
}

/** Fixed row height (px, as in styles.css .wf-row): row i sits at i × ROW_H, so rows can be virtual. */
const ROW_H = 20;
/** Rows drawn beyond the visible ones on each side, so fast scrolling rarely shows a blank. */
const OVERSCAN = 30;

function rowElement(
  r: WaterfallRowDto,
  i: number,
  total: number,
  actions: WaterfallActions,
): HTMLElement {
  const name = el('div', { className: 'wf-name', title: r.name }, el('span', { text: r.name }));
  name.style.paddingLeft = `${Math.min(r.depth, MAX_INDENT) * 12}px`;
  const code = r.code;
  if (code) {
    const link = button(
      {
        className: 'link code-link',
        title: `Open ${code.qualifiedName} (${code.file}:${code.line})`,
        label: `Open ${code.qualifiedName}`,
        onClick: () => actions.open(code),
      },
      icon('go-to-file'),
    );
    link.tabIndex = -1; // reachable from the keyboard through the span's details instead
    name.append(link);
  }
  const bar = el('div', {
    className: r.error ? 'wf-bar error' : r.isMatch ? 'wf-bar match' : 'wf-bar',
  });
  bar.style.left = `${(r.offsetMs / total) * 100}%`;
  bar.style.width = `max(1px, ${(r.durationMs / total) * 100}%)`;
  const row = el(
    'div',
    {
      className: r.isMatch ? 'wf-row match' : 'wf-row',
      role: 'treeitem',
      label: `${r.name}, ${formatMs(r.durationMs)}${r.error ? ', error' : ''}`,
    },
    name,
    el('div', { className: 'wf-track' }, bar),
    el('div', { className: 'wf-dur num', text: formatMs(r.durationMs) }),
  );
  row.style.top = `${i * ROW_H}px`;
  row.setAttribute('aria-level', String(r.depth + 1));
  row.dataset.spanId = r.spanId;
  row.dataset.index = String(i);
  return row;
}

export function waterfall(t: TraceDto, actions: WaterfallActions): HTMLElement {
  const total = Math.max(t.durationMs, 0.001);
  const n = t.rows.length;
  // Virtualised: only rows near the viewport exist, inside a spacer as tall as all of them. The
  // focused row always exists too, so the tree keeps exactly one Tab stop wherever it scrolled.
  const spacer = el('div', { className: 'wf-spacer' });
  spacer.style.height = `${n * ROW_H}px`;
  const tree = el(
    'div',
    { className: 'waterfall', role: 'tree', label: `Trace ${t.traceId}` },
    spacer,
  );
  tree.dataset.rows = String(n);
  const detail = el('div', { className: 'span-details-slot' });
  const drawn = new Map<number, HTMLElement>();
  let focused = 0;
  const draw = () => {
    // Before the tree is laid out its height is unknown: assume the CSS max (60vh).
    const view = tree.clientHeight || window.innerHeight * 0.6;
    const first = Math.max(0, Math.floor(tree.scrollTop / ROW_H) - OVERSCAN);
    const last = Math.min(n - 1, Math.ceil((tree.scrollTop + view) / ROW_H) + OVERSCAN);
    for (const [i, row] of drawn) {
      if ((i < first || i > last) && i !== focused) {
        row.remove();
        drawn.delete(i);
      }
    }
    const want = [focused];
    for (let i = first; i <= last; i++) want.push(i);
    for (const i of want) {
      if (drawn.has(i) || i >= n) continue;
      const row = rowElement(t.rows[i]!, i, total, actions);
      spacer.append(row);
      drawn.set(i, row);
    }
    for (const [i, row] of drawn) {
      row.tabIndex = i === focused ? 0 : -1;
      row.setAttribute('aria-selected', String(i === focused));
    }
  };
  let scheduled = false;
  tree.addEventListener('scroll', () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      draw();
    });
  });
  new ResizeObserver(() => draw()).observe(tree);
  const select = (i: number, show: boolean) => {
    focused = i;
    const top = i * ROW_H;
    if (top < tree.scrollTop) tree.scrollTop = top;
    else if (top + ROW_H > tree.scrollTop + tree.clientHeight)
      tree.scrollTop = top + ROW_H - tree.clientHeight;
    draw();
    drawn.get(i)?.focus({ preventScroll: true });
    if (show) detail.replaceChildren(spanDetails(t.rows[i]!, actions));
  };
  const indexOf = (target: EventTarget | null): number | undefined => {
    const row = target instanceof Element ? target.closest<HTMLElement>('.wf-row') : null;
    return row?.dataset.index === undefined ? undefined : Number(row.dataset.index);
  };
  tree.addEventListener('click', (ev) => {
    const i = indexOf(ev.target);
    if (i !== undefined) select(i, true);
  });
  tree.addEventListener('keydown', (ev) => {
    const i = indexOf(ev.target);
    if (i === undefined) return;
    const k = ev.key;
    const page = Math.max(1, Math.floor(tree.clientHeight / ROW_H) - 1);
    if (k === 'Enter' || k === ' ') select(i, true);
    else if (k === 'ArrowDown' && i + 1 < n) select(i + 1, false);
    else if (k === 'ArrowUp' && i > 0) select(i - 1, false);
    else if (k === 'PageDown') select(Math.min(n - 1, i + page), false);
    else if (k === 'PageUp') select(Math.max(0, i - page), false);
    else if (k === 'Home') select(0, false);
    else if (k === 'End') select(n - 1, false);
    else return;
    ev.preventDefault();
  });
  if (n) draw();
  const errors = t.rows.filter((r) => r.error).length;
  return el(
    'section',
    { className: 'trace', label: 'Trace waterfall' },
    el(
      'header',
      {},
      el('h2', { text: `Trace ${t.traceId}` }),
      vscodeButton({
        className: 'close-trace',
        title: 'Close the trace',
        label: 'Close the trace',
        secondary: true,
        iconName: 'close',
        onClick: actions.close,
      }),
    ),
    el('p', {
      className: 'muted',
      text: `${t.rows.length} spans ${t.source ? `from ${t.source}` : 'held'} · ${formatMs(t.durationMs)} · ${errors} with errors`,
    }),
    tree,
    detail,
  );
}
