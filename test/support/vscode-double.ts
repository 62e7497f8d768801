// A minimal test double of the `vscode` module, for unit tests of src/extension classes that only
// need events and disposables at construction and registration (the tree view providers). It is
// not VS Code: only what those files touch is here, and it behaves as the real API documents
// (an event returns a Disposable that removes the listener; a registration listens to the
// provider's onDidChangeTreeData until it is disposed).
//
// Importing this module makes `import 'vscode'` anywhere resolve to it (a CommonJS resolution
// hook: tsx runs the tests as CommonJS). Import it before the modules under test.
import Module from 'node:module';

const loader = Module as unknown as {
  _resolveFilename(request: string, ...rest: unknown[]): string;
};
const resolve = loader._resolveFilename;
loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
  return request === 'vscode' ? __filename : resolve.call(this, request, ...rest);
};

export class Disposable {
  private done = false;
  constructor(private readonly onDispose: () => void) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => {
      for (const d of items) d.dispose();
    });
  }
  dispose(): void {
    if (this.done) return;
    this.done = true;
    this.onDispose();
  }
}

export type Event<T> = (
  listener: (e: T) => unknown,
  thisArgs?: unknown,
  disposables?: Disposable[],
) => Disposable;

export class EventEmitter<T> {
  private readonly listeners = new Set<(e: T) => unknown>();

  readonly event: Event<T> = (listener, thisArgs, disposables) => {
    const bound = (e: T) => listener.call(thisArgs, e);
    this.listeners.add(bound);
    const d = new Disposable(() => this.listeners.delete(bound));
    disposables?.push(d);
    return d;
  };

  /** How many listeners the event holds (the double's own addition, for the tests). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }

  dispose(): void {
    this.listeners.clear();
  }
}

interface TreeDataProvider {
  onDidChangeTreeData?: (listener: (e: unknown) => unknown) => { dispose(): unknown };
}

/** Tree redraws asked for by registered providers, per view id (the double's own addition). */
export const treeRefreshes = new Map<string, number>();

function listenToTree(id: string, provider: TreeDataProvider): Disposable {
  const listening = provider.onDidChangeTreeData?.(() =>
    treeRefreshes.set(id, (treeRefreshes.get(id) ?? 0) + 1),
  );
  return new Disposable(() => listening?.dispose());
}

export const window = {
  registerTreeDataProvider(id: string, provider: TreeDataProvider): Disposable {
    return listenToTree(id, provider);
  },
  createTreeView(id: string, options: { treeDataProvider: TreeDataProvider }) {
    const listening = listenToTree(id, options.treeDataProvider);
    return { description: undefined as string | undefined, dispose: () => listening.dispose() };
  },
};

export const commands = {
  registerCommand(_id: string, _run: (...args: unknown[]) => unknown): Disposable {
    return new Disposable(() => undefined);
  },
};
