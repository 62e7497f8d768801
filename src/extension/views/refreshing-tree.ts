// A tree view's provider that redraws when its source changes, and lets go of its event and its
// subscription with the extension (the views used to drop the subscription).
import * as vscode from 'vscode';

export abstract class RefreshingTree<T> implements vscode.Disposable, vscode.TreeDataProvider<T> {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  protected constructor(onDidChange: vscode.Event<unknown>) {
    this.subscription = onDidChange(() => this.emitter.fire());
  }

  abstract getChildren(element?: T): T[];
  abstract getTreeItem(element: T): vscode.TreeItem;

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
