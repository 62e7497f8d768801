// The bundles the panel loads after its first paint (uplot.js, elements.js; see
// scripts/webview-bundles.mjs), so opening the panel waits for neither to be fetched or compiled.
// They sit in the page's <base> folder and run under the panel script's own CSP nonce.
const panelScript =
  document.currentScript instanceof HTMLScriptElement ? document.currentScript : undefined;
const loads = new Map<string, Promise<void>>();

/** Loads a bundle once; rejects when it cannot be fetched. */
export function loadLaterScript(file: 'uplot.js' | 'elements.js'): Promise<void> {
  let p = loads.get(file);
  if (!p) {
    p = new Promise<void>((resolve, reject) => {
      const s = document.createElement('script');
      s.nonce = panelScript?.nonce ?? '';
      s.src = new URL(file, document.baseURI).href;
      s.onload = () => resolve();
      s.onerror = () => reject(new Error(`${file} could not be loaded`));
      document.head.append(s);
    });
    loads.set(file, p);
  }
  return p;
}

/** Runs `fn` in a task after the next frame is painted (its rAF runs before that frame's paint). */
export function afterNextPaint(fn: () => void): void {
  requestAnimationFrame(() => setTimeout(fn, 0));
}
