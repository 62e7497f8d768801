// The panel's buttons from @vscode-elements/elements (a Lit web component styled with the
// --vscode-* theme variables), behind this one function so the rest of the panel does not depend
// on the library and the control can be swapped back to native HTML in one place. The library
// (only vscode-button, not its index) is its own bundle, elements.js, defined after the first
// paint: until then styles.css draws `vscode-button:not(:defined)` with the same box and colours,
// and clicks already work (the listener is on the element). The pickers stay native <select>s:
// vscode-single-select measured about three times the render cost of a native select.
// Text from production reaches the button as text only.
import { clean, icon, type Props } from './dom';
import { loadLaterScript } from './later-scripts';

/** Defines vscode-button (loads elements.js); the panel calls it after its first paint. */
export function defineControls(): Promise<void> {
  return loadLaterScript('elements.js');
}

/**
 * A vscode-button (role=button, in the Tab order, Enter and Space click). `secondary` for the
 * quieter style; an icon-only button needs `label` for its accessible name.
 */
export function vscodeButton(
  props: Props & { onClick: () => void; secondary?: boolean; iconName?: string },
): HTMLElement {
  const b = document.createElement('vscode-button');
  if (props.className) b.className = props.className;
  if (props.title !== undefined) b.title = clean(props.title);
  if (props.label !== undefined) b.setAttribute('aria-label', clean(props.label));
  if (props.secondary) b.setAttribute('secondary', '');
  if (props.iconName) {
    // The codicon as slotted light DOM, so the page's codicon.css styles it (the library's own
    // icon element would need a second copy of that stylesheet inside its shadow root).
    b.append(icon(props.iconName));
    if (props.text === undefined) b.setAttribute('icon-only', '');
  }
  if (props.text !== undefined) b.append(document.createTextNode(clean(props.text)));
  b.addEventListener('click', (ev) => {
    ev.stopPropagation();
    props.onClick();
  });
  return b;
}

/**
 * Focuses an element that may be a control just created: a vscode-button becomes focusable at
 * its first render (Lit reflects its tabindex then, a microtask after insertion, and only once
 * elements.js has defined it), so focus waits for that render. Other elements are focused at once.
 */
export function focusControl(e: HTMLElement | null | undefined): void {
  if (!e) return;
  if (e.localName !== 'vscode-button') {
    e.focus();
    return;
  }
  void customElements
    .whenDefined('vscode-button')
    .then(() => (e as HTMLElement & { updateComplete?: Promise<unknown> }).updateComplete)
    .then(() => e.focus());
}
