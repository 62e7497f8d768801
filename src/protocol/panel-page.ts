// The details panel's page, as the extension's host writes it (and the Chromium tests serve it).
// Everything the first paint needs is in the HTML itself: the stylesheets and the panel script
// inline (in VS Code each resource is a round trip through the webview's service worker, and the
// page could not paint before they arrived), and the first message as a JSON block, so data is
// drawn in the first frame with no ready → host → snapshot round trip. `<base>` points at the
// bundle's folder, so the font and the scripts loaded later (uplot.js) resolve there.
import type { HostMessage } from './messages';

export const INITIAL_MESSAGE_ID = 'prodlens-initial';

/** The panel's Content Security Policy: nothing but the nonce's scripts, no network. */
export function panelCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    "connect-src 'none'",
  ].join('; ');
}

const UNSAFE_IN_HTML = /[<>&\u2028\u2029]/g;

/**
 * The first message as a JSON data block: never executed (the CSP has nothing to allow), and every
 * `<`, `>` and `&` written as a \u escape, so production text in it cannot end the element.
 */
export function initialMessageBlock(message: HostMessage): string {
  const json = JSON.stringify(message).replace(
    UNSAFE_IN_HTML,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `<script type="application/json" id="${INITIAL_MESSAGE_ID}">${json}</script>`;
}

export interface PanelPage {
  /** The webview's `cspSource`. */
  cspSource: string;
  nonce: string;
  /** URL of the folder holding the bundles and the font, ending in `/`. */
  assetsBase: string;
  /** Stylesheet texts, in cascade order. */
  styles: string[];
  /** The panel bundle's text (main.js). */
  script: string;
  first?: HostMessage;
  /** Run before the page's own content, as VS Code injects acquireVsCodeApi (tests: a fake host). */
  headScript?: string;
  /** After the stylesheets (tests: the theme's --vscode-* values, which VS Code sets on <html>). */
  themeCss?: string;
}

const END_TAG = { script: /<\/script/i, style: /<\/style/i };

/**
 * Refuses text holding its own end tag instead of letting it cut the page. The webview and e2e
 * tests render the built bundles through here, so such a bundle never gets past them.
 */
function inline(text: string, tag: 'script' | 'style'): string {
  if (END_TAG[tag].test(text)) throw new Error(`cannot inline: the ${tag} text contains </${tag}`);
  return text;
}

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function panelHtml(p: PanelPage): string {
  const n = attr(p.nonce);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(panelCsp(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<base href="${attr(p.assetsBase)}">
${p.headScript === undefined ? '' : `<script nonce="${n}">${inline(p.headScript, 'script')}</script>\n`}${p.styles.map((s) => `<style nonce="${n}">${inline(s, 'style')}</style>`).join('\n')}
${p.themeCss === undefined ? '' : `<style nonce="${n}">${inline(p.themeCss, 'style')}</style>\n`}<title>ProdLens</title></head>
<body><main id="app" aria-live="polite"></main>
${p.first ? `${initialMessageBlock(p.first)}\n` : ''}<script nonce="${n}">${inline(p.script, 'script')}</script></body></html>`;
}
