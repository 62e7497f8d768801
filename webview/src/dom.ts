// Tiny DOM builders. Every piece of text goes through textContent (never innerHTML), so span
// names, log bodies and attribute values from production render as text whatever they contain;
// bidi and other control characters are shown as visible code points so they cannot reorder
// what the user reads (a "Trojan Source" span name cannot disguise itself).
const INVISIBLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function clean(text: string): string {
  return text.replace(
    INVISIBLE,
    (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}]`,
  );
}

export interface Props {
  className?: string;
  text?: string;
  title?: string;
  role?: string;
  label?: string;
}

type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props.className) e.className = props.className;
  if (props.text !== undefined) e.textContent = clean(props.text);
  if (props.title !== undefined) e.title = clean(props.title);
  if (props.role) e.setAttribute('role', props.role);
  if (props.label !== undefined) e.setAttribute('aria-label', clean(props.label));
  for (const c of children)
    if (c) e.append(typeof c === 'string' ? document.createTextNode(clean(c)) : c);
  return e;
}

/** A codicon glyph (decorative: the control carrying it has the accessible name). */
export function icon(name: string): HTMLElement {
  const i = el('span', { className: `codicon codicon-${name}` });
  i.setAttribute('aria-hidden', 'true');
  return i;
}

/** A native button: keyboard and screen-reader behaviour for free. */
export function button(
  props: Props & { onClick: () => void },
  ...children: Child[]
): HTMLButtonElement {
  const b = el('button', props, ...children);
  b.type = 'button';
  b.addEventListener('click', (ev) => {
    ev.stopPropagation();
    props.onClick();
  });
  return b;
}

const SVG = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}
