// The panel's buttons from @vscode-elements/elements (a Lit web component styled with the
// --vscode-* theme variables), behind this one function so the rest of the panel does not depend
// on the library and the control can be swapped back to native HTML in one place. Only
// vscode-button is imported (not the library's index). The pickers stay native <select>s:
// vscode-single-select measured about three times the render cost of a native select plus
// ~18 ms of script evaluation on the panel's first paint, which the 300 ms open target cannot
// spare (see the bench's browser lane). Text from production reaches the button as text only.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { clean, icon, type Props } from './dom';

/**
 * A vscode-button (role=button, in the Tab order, Enter and Space click). `secondary` for the
 * quieter style; an icon-only button needs `label` for its accessible name.
 */
export function vscodeButton(props: Props & { onClick: () => void; secondary?: boolean; iconName?: string }): HTMLElement {
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
 * its first render (Lit reflects its tabindex then, a microtask after insertion), so focus waits
 * for that render. Other elements are focused at once.
 */
export function focusControl(e: HTMLElement | null | undefined): void {
  if (!e) return;
  const ready = (e as HTMLElement & { updateComplete?: Promise<unknown> }).updateComplete;
  if (ready) void ready.then(() => e.focus());
  else e.focus();
}
