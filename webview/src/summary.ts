// The top of the panel: title, where the function is, pickers, headline numbers and the mapping.
import type { CodeLinkDto, FunctionDetailsDto } from '../../src/protocol/messages';
import { vscodeButton } from './controls';
import { button, el } from './dom';
import { formatCount, formatErrorRate, nullableMs } from './format';
import { pickers } from './pickers';

export interface SummaryActions {
  open: (c: CodeLinkDto) => void;
  refresh: () => void;
  setWindow: (w: string) => void;
  setEnvironment: (e: string) => void;
}

function kpi(label: string, value: string): HTMLElement {
  return el(
    'div',
    { className: 'kpi' },
    el('div', { className: 'value', text: value }),
    el('div', { className: 'label', text: label }),
  );
}

export function summary(d: FunctionDetailsDto, actions: SummaryActions): HTMLElement {
  const s = d.stats;
  const envs = d.environments.filter(Boolean);
  return el(
    'div',
    { className: 'summary' },
    el(
      'header',
      {},
      el('h1', { text: d.qualifiedName }),
      vscodeButton({
        className: 'refresh',
        title: 'Refresh',
        label: 'Refresh',
        secondary: true,
        iconName: 'refresh',
        onClick: actions.refresh,
      }),
    ),
    el(
      'p',
      { className: 'sub' },
      button({
        className: 'link',
        text: `${d.file}:${d.startLine}`,
        title: 'Open the function in the editor',
        onClick: () => actions.open({ file: d.file, line: d.startLine }),
      }),
      ` · ${d.services.join(', ')}${envs.length ? ` · ${envs.join(', ')}` : ''} · last ${s.windowLabel}${s.coveredLabel !== s.windowLabel ? ` (data for ${s.coveredLabel})` : ''}`,
    ),
    pickers(d, actions),
    el(
      'section',
      { className: 'kpis', label: 'Headline numbers' },
      kpi('spans', formatCount(s.count)),
      kpi('per min', formatCount(s.ratePerMin)),
      kpi('errors', `${formatErrorRate(s.errors, s.count)} (${s.errors})`),
    ),
    el(
      'table',
      { className: 'percentiles' },
      el(
        'thead',
        {},
        el('tr', {}, ...['p50', 'p90', 'p95', 'p99', 'max'].map((h) => el('th', { text: h }))),
      ),
      el(
        'tbody',
        {},
        el(
          'tr',
          {},
          ...[s.p50Ms, s.p90Ms, s.p95Ms, s.p99Ms, s.maxMs].map((v) =>
            el('td', { text: nullableMs(v) }),
          ),
        ),
      ),
    ),
  );
}

export function mappingNote(d: FunctionDetailsDto): HTMLElement {
  return el(
    'section',
    { className: 'mapping', label: 'Mapping' },
    el('h2', { text: 'How these numbers were mapped' }),
    el(
      'p',
      {},
      el('code', { text: d.mapping.rule }),
      ` · ${d.mapping.confidence} confidence · `,
      d.mapping.explanation,
    ),
  );
}
