// The entry of the second webview bundle (scripts/webview-bundles.mjs): uPlot on its own, loaded
// by charts.ts when the panel first draws its charts.
export { default } from 'uplot';
