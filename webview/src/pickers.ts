// Time-window and environment pickers: native selects (keyboard and screen-reader friendly),
// each change is a command to the host, which updates the setting every face reads.
import type { FunctionDetailsDto } from '../../src/protocol/messages';
import { el } from './dom';

function select(
  label: string,
  options: { value: string; text: string }[],
  value: string,
  onChange: (v: string) => void,
): HTMLElement {
  const s = el('select', { label });
  for (const o of options) {
    const opt = el('option', { text: o.text });
    opt.value = o.value;
    s.append(opt);
  }
  s.value = value;
  s.addEventListener('change', () => onChange(s.value));
  return el('label', { className: 'picker' }, el('span', { text: label }), s);
}

export function pickers(
  d: FunctionDetailsDto,
  actions: { setWindow: (w: string) => void; setEnvironment: (e: string) => void },
): HTMLElement {
  const envs = [...new Set([...d.knownEnvironments, ...(d.environment ? [d.environment] : [])])];
  return el(
    'div',
    { className: 'pickers' },
    select(
      'Window',
      d.windows.map((w) => ({ value: w.id, text: w.label })),
      d.window,
      actions.setWindow,
    ),
    select(
      'Environment',
      [{ value: '', text: 'All environments' }, ...envs.map((e) => ({ value: e, text: e }))],
      d.environment,
      actions.setEnvironment,
    ),
  );
}
