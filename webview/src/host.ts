// The seam over acquireVsCodeApi, so components can run in a plain browser page with a fake host.
import type { PanelState, WebviewMessage } from '../../src/protocol/messages';

export interface Host {
  postMessage(m: WebviewMessage): void;
  getState(): PanelState | undefined;
  setState(s: PanelState): void;
}

declare function acquireVsCodeApi(): { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void };

export function connectHost(): Host {
  if (typeof acquireVsCodeApi === 'function') {
    const api = acquireVsCodeApi();
    return {
      postMessage: (m) => api.postMessage(m),
      getState: () => api.getState() as PanelState | undefined,
      setState: (s) => api.setState(s),
    };
  }
  // Outside VS Code (component tests): messages go to the window for the test to observe.
  let state: PanelState | undefined;
  return {
    postMessage: (m) => window.dispatchEvent(new CustomEvent('prodlens-host-message', { detail: m })),
    getState: () => state,
    setState: (s) => {
      state = s;
    },
  };
}
