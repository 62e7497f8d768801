// A trace as a waterfall: one row per span in tree order, a bar at its offset and duration.
// Rows use a roving tabindex (one tab stop for the whole tree; arrows, Home and End move) so a
// 2,000-span trace is not 2,000 tab stops. Enter or Space shows a span's attributes and events.
// Spans mapped to code carry a link that opens the function.
import type { CodeLinkDto, TraceDto, WaterfallRowDto } from '../../src/protocol/messages';
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
    const item = el('li', {}, el('strong', { text: e.name }), el('span', { className: 'muted', text: ` at +${formatMs(e.offsetMs)}` }));
    if (e.attributes.length) {
      const dl = el('dl', { className: 'attributes' });
      for (const [k, v] of e.attributes) if (k !== 'exception.stacktrace') dl.append(el('dt', { text: k }), el('dd', { text: v }));
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
    el('p', { className: 'muted', text: `${r.service} · ${formatMs(r.durationMs)} · starts at +${formatMs(r.offsetMs)} · ${r.error ? `error${r.statusMessage ? `: ${r.statusMessage}` : ''}` : 'ok'}` }),
    code ? button({ className: 'link', title: `Open ${code.file}:${code.line}`, onClick: () => actions.open(code) }, icon('go-to-file'), ` ${code.qualifiedName} (${code.file}:${code.line})`) : null,
    el('h4', { text: `Attributes (${r.attributes.length})` }),
    r.attributes.length ? attrs : el('p', { className: 'empty', text: 'None.' }),
    el('h4', { text: `Events (${r.events.length})` }),
    r.events.length ? events : el('p', { className: 'empty', text: 'None.' }),
  );
}

export function waterfall(t: TraceDto, actions: WaterfallActions): HTMLElement {
  const total = Math.max(t.durationMs, 0.001);
  const tree = el('div', { className: 'waterfall', role: 'tree', label: `Trace ${t.traceId}` });
  const detail = el('div', { className: 'span-details-slot' });
  const rows: HTMLElement[] = [];
  const frag = document.createDocumentFragment();
  let focused = 0;
  const select = (i: number, show: boolean) => {
    rows[focused]!.tabIndex = -1;
    rows[focused]!.setAttribute('aria-selected', 'false');
    focused = i;
    const r = rows[i]!;
    r.tabIndex = 0;
    r.setAttribute('aria-selected', 'true');
    r.focus();
    if (show) detail.replaceChildren(spanDetails(t.rows[i]!, actions));
  };
  t.rows.forEach((r, i) => {
    const name = el('div', { className: 'wf-name', title: r.name }, el('span', { text: r.name }));
    name.style.paddingLeft = `${Math.min(r.depth, MAX_INDENT) * 12}px`;
    const code = r.code;
    if (code) {
      const link = button({ className: 'link code-link', title: `Open ${code.qualifiedName} (${code.file}:${code.line})`, label: `Open ${code.qualifiedName}`, onClick: () => actions.open(code) }, icon('go-to-file'));
      link.tabIndex = -1; // reachable from the keyboard through the span's details instead
      name.append(link);
    }
    const bar = el('div', { className: r.error ? 'wf-bar error' : r.isMatch ? 'wf-bar match' : 'wf-bar' });
    bar.style.left = `${(r.offsetMs / total) * 100}%`;
    bar.style.width = `max(1px, ${(r.durationMs / total) * 100}%)`;
    const row = el(
      'div',
      { className: r.isMatch ? 'wf-row match' : 'wf-row', role: 'treeitem', label: `${r.name}, ${formatMs(r.durationMs)}${r.error ? ', error' : ''}` },
      name,
      el('div', { className: 'wf-track' }, bar),
      el('div', { className: 'wf-dur num', text: formatMs(r.durationMs) }),
    );
    row.setAttribute('aria-level', String(r.depth + 1));
    row.setAttribute('aria-selected', 'false');
    row.tabIndex = i === 0 ? 0 : -1;
    row.dataset.spanId = r.spanId;
    row.addEventListener('click', () => select(i, true));
    row.addEventListener('keydown', (ev) => {
      const k = ev.key;
      if (k === 'Enter' || k === ' ') select(i, true);
      else if (k === 'ArrowDown' && i + 1 < rows.length) select(i + 1, false);
      else if (k === 'ArrowUp' && i > 0) select(i - 1, false);
      else if (k === 'Home') select(0, false);
      else if (k === 'End') select(rows.length - 1, false);
      else return;
      ev.preventDefault();
    });
    rows.push(row);
    frag.append(row);
  });
  tree.append(frag);
  const errors = t.rows.filter((r) => r.error).length;
  return el(
    'section',
    { className: 'trace', label: 'Trace waterfall' },
    el(
      'header',
      {},
      el('h2', { text: `Trace ${t.traceId}` }),
      button({ className: 'icon', title: 'Close the trace', label: 'Close the trace', onClick: actions.close }, icon('close')),
    ),
    el('p', { className: 'muted', text: `${t.rows.length} spans held · ${formatMs(t.durationMs)} · ${errors} with errors` }),
    tree,
    detail,
  );
}
