// The seam over acquireVsCodeApi, so components run in a plain browser page with a fake host.
// Requests carry an id and resolve when the host's response with that id arrives.
import { INITIAL_MESSAGE_ID } from '../../src/protocol/panel-page';
import type {
  CommandMessage,
  PanelState,
  RequestMap,
  RequestName,
  ResponseMessage,
} from '../../src/protocol/messages';

export interface Host {
  post(m: CommandMessage): void;
  request<K extends RequestName>(method: K, params: RequestMap[K][0]): Promise<RequestMap[K][1]>;
  /** Called by the message loop with every response from the host. */
  receive(m: ResponseMessage): void;
  getState(): PanelState | undefined;
  setState(s: PanelState): void;
}

declare function acquireVsCodeApi(): {
  postMessage(m: unknown): void;
  getState(): unknown;
  setState(s: unknown): void;
};

interface Api {
  postMessage(m: unknown): void;
  getState(): unknown;
  setState(s: unknown): void;
}

function api(): Api {
  if (typeof acquireVsCodeApi === 'function') return acquireVsCodeApi();
  // Outside VS Code and without a fake: messages go to the window for a test to observe.
  let state: unknown;
  return {
    postMessage: (m) =>
      window.dispatchEvent(new CustomEvent('prodlens-host-message', { detail: m })),
    getState: () => state,
    setState: (s) => {
      state = s;
    },
  };
}

export function connectHost(): Host {
  const vs = api();
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>();
  return {
    post: (m) => vs.postMessage(m),
    request(method, params) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: never) => void, reject });
        vs.postMessage({ type: 'request', id, method, params });
      });
    },
    receive(m) {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.result as never);
      else p.reject(new Error(m.error));
    },
    getState: () => vs.getState() as PanelState | undefined,
    setState: (s) => vs.setState(s),
  };
}

/**
 * The message the host put in the page's HTML (src/protocol/panel-page.ts), read once and
 * removed; undefined when there is none or it does not parse (the page then waits for messages).
 */
export function takeInitialMessage(): unknown {
  const block = document.getElementById(INITIAL_MESSAGE_ID);
  if (!block) return undefined;
  block.remove();
  try {
    return JSON.parse(block.textContent ?? '');
  } catch {
    return undefined;
  }
}
