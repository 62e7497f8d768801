// Compare: two versions (before/after a deploy) or two environments of the function side by side,
// with deltas B − A. Regressions carry an icon and the word "worse", never colour alone. Version
// and environment names are telemetry: they only ever reach the DOM as text.
import type { CompareDto, CompareGroupDto } from '../../src/protocol/messages';
import { el, icon } from './dom';
import { formatCount, formatErrorRate, formatMs } from './format';

type Kind = 'version' | 'environment';
interface Choice {
  kind: Kind;
  value: string;
}
const keyOf = (c: Choice) => `${c.kind}:${c.value}`;
const nameOf = (v: string) => v || '(none)';

/** A change of this relative size or more in latency or error rate counts as worse or better. */
const NOTABLE = 0.1;

/** The two most recent versions (older as A), else the two busiest environments. */
export function defaultPair(c: CompareDto): [Choice, Choice] | undefined {
  if (c.versions.length >= 2)
    return [
      { kind: 'version', value: c.versions[1]!.value },
      { kind: 'version', value: c.versions[0]!.value },
    ];
  if (c.environments.length >= 2)
    return [
      { kind: 'environment', value: c.environments[0]!.value },
      { kind: 'environment', value: c.environments[1]!.value },
    ];
  return undefined;
}

function find(c: CompareDto, choice: Choice): CompareGroupDto | undefined {
  return (choice.kind === 'version' ? c.versions : c.environments).find(
    (g) => g.value === choice.value,
  );
}

function picker(
  label: string,
  c: CompareDto,
  value: Choice,
  onChange: (v: Choice) => void,
): HTMLElement {
  const s = el('select', { label: `Compare ${label}` });
  for (const [kind, title, groups] of [
    ['version', 'Versions', c.versions],
    ['environment', 'Environments', c.environments],
  ] as const) {
    const group = el('optgroup');
    group.label = title;
    for (const g of groups) {
      const o = el('option', {
        text: `${kind === 'version' ? 'version' : 'environment'} ${nameOf(g.value)}`,
      });
      o.value = keyOf({ kind, value: g.value });
      group.append(o);
    }
    s.append(group);
  }
  s.value = keyOf(value);
  s.addEventListener('change', () => {
    const i = s.value.indexOf(':');
    onChange({ kind: s.value.slice(0, i) as Kind, value: s.value.slice(i + 1) });
  });
  return el('label', { className: 'picker' }, el('span', { text: label }), s);
}

interface Metric {
  name: string;
  value: (g: CompareGroupDto) => number | null;
  format: (g: CompareGroupDto) => string;
  formatDelta: (d: number) => string;
  /** Higher is worse (latency, errors); undefined: no judgement (traffic). */
  higherIsWorse: boolean;
}

const rate = (g: CompareGroupDto) => (g.count ? (g.errors / g.count) * 100 : null);
const signed = (s: string, d: number) => `${d > 0 ? '+' : d < 0 ? '−' : '±'}${s}`;
const ms = (pick: (g: CompareGroupDto) => number | null, name: string): Metric => ({
  name,
  value: pick,
  format: (g) => (pick(g) === null ? '–' : formatMs(pick(g)!)),
  formatDelta: (d) => signed(formatMs(Math.abs(d)), d),
  higherIsWorse: true,
});

const METRICS: Metric[] = [
  {
    name: 'spans',
    value: (g) => g.count,
    format: (g) => formatCount(g.count),
    formatDelta: (d) => signed(formatCount(Math.abs(d)), d),
    higherIsWorse: false,
  },
  {
    name: 'error rate',
    value: rate,
    format: (g) => formatErrorRate(g.errors, g.count),
    formatDelta: (d) => signed(`${(Math.round(Math.abs(d) * 100) / 100).toString()} pt`, d),
    higherIsWorse: true,
  },
  ms((g) => g.p50Ms, 'p50'),
  ms((g) => g.p95Ms, 'p95'),
  ms((g) => g.p99Ms, 'p99'),
];

function deltaCells(m: Metric, a: CompareGroupDto, b: CompareGroupDto): HTMLElement[] {
  const va = m.value(a);
  const vb = m.value(b);
  if (va === null || vb === null)
    return [
      el('td', { className: 'num', text: '–' }),
      el('td', { className: 'num', text: '–' }),
      el('td', { text: '' }),
    ];
  const d = vb - va;
  const rel = va === 0 ? (vb === 0 ? 0 : Infinity) : d / va;
  const pct = rel === Infinity ? 'new' : signed(`${Math.round(Math.abs(rel) * 1000) / 10}%`, d);
  let verdict: HTMLElement = el('td', { text: '' });
  if (m.higherIsWorse && Math.abs(rel) >= NOTABLE && d !== 0) {
    verdict =
      d > 0
        ? el('td', { className: 'worse' }, icon('arrow-up'), ' worse')
        : el('td', { className: 'better' }, icon('arrow-down'), ' better');
  }
  return [
    el('td', { className: 'num', text: m.formatDelta(d) }),
    el('td', { className: 'num', text: pct }),
    verdict,
  ];
}

/** The Compare section; keeps the user's A/B choice across snapshots of the same function. */
export class Compare {
  readonly element = el('section', { className: 'compare', label: 'Compare' });
  private pair: [Choice, Choice] | undefined;
  private data: CompareDto | undefined;

  update(c: CompareDto): void {
    this.data = c;
    // A chosen group that left the window falls back to the defaults.
    if (!this.pair || !find(c, this.pair[0]) || !find(c, this.pair[1])) this.pair = defaultPair(c);
    this.draw();
  }

  private draw(): void {
    const c = this.data!;
    const h = el('h2', { text: 'Compare' });
    if (!this.pair) {
      const v = c.versions[0];
      const what =
        c.versions.length === 0
          ? 'No version or environment'
          : `Only one version (${nameOf(v!.value)}) and one environment`;
      this.element.replaceChildren(
        h,
        el('p', { className: 'empty', text: `${what} in the window: nothing to compare` }),
      );
      return;
    }
    const [ca, cb] = this.pair;
    const a = find(c, ca)!;
    const b = find(c, cb)!;
    const set = (i: 0 | 1) => (v: Choice) => {
      this.pair![i] = v;
      this.draw();
      this.element.querySelectorAll('select')[i]?.focus();
    };
    const pickers = el(
      'div',
      { className: 'pickers' },
      picker('A', c, ca, set(0)),
      picker('B', c, cb, set(1)),
    );
    const head = el(
      'tr',
      {},
      el('th', { text: '' }),
      el('th', { text: `A: ${nameOf(ca.value)}` }),
      el('th', { text: `B: ${nameOf(cb.value)}` }),
      el('th', { text: 'B − A' }),
      el('th', { text: '%' }),
      el('th', { text: '' }),
    );
    const body = el(
      'tbody',
      {},
      ...METRICS.map((m) =>
        el(
          'tr',
          {},
          el('th', { text: m.name }),
          el('td', { className: 'num', text: m.format(a) }),
          el('td', { className: 'num', text: m.format(b) }),
          ...deltaCells(m, a, b),
        ),
      ),
    );
    this.element.replaceChildren(
      h,
      pickers,
      el('table', { className: 'compare-table' }, el('thead', {}, head), body),
    );
  }
}
