// The entry of the third webview bundle (scripts/webview-bundles.mjs): the @vscode-elements
// controls the panel uses (only vscode-button), defined once this script runs (controls.ts).
import '@vscode-elements/elements/dist/vscode-button/index.js';
