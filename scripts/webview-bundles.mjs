// The webview's bundles, shared by the build and by the Chromium tests and bench (which build
// them into a temp dir), so what is measured is what ships:
// - main.js, the panel, inline in the page's HTML (src/protocol/panel-page.ts);
// - uplot.js, the chart library alone (sets the global ProdLensUPlot), and elements.js, the
//   @vscode-elements controls: both loaded after the first paint (webview/src/later-scripts.ts),
//   so opening the panel waits for neither to be fetched or compiled.
import { join } from 'node:path';

/** esbuild options for each bundle; `extra` (minify, sourcemap, logLevel…) applies to each. */
export function webviewBundles(root, outdir, extra = {}) {
  const browser = {
    bundle: true,
    outdir,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    ...extra,
  };
  return [
    { ...browser, entryPoints: { main: join(root, 'webview/src/main.ts') } },
    {
      ...browser,
      entryPoints: { uplot: join(root, 'webview/src/uplot-bundle.ts') },
      globalName: 'ProdLensUPlot',
    },
    { ...browser, entryPoints: { elements: join(root, 'webview/src/elements-bundle.ts') } },
  ];
}
