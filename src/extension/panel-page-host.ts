// The details panel's page as the host writes it: the built webview bundle inline (read once; it
// changes only with the extension), a fresh CSP nonce per page, and the first snapshot when there
// is one (src/protocol/panel-page.ts builds the HTML itself).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { HostMessage } from '../protocol/messages';
import { panelHtml } from '../protocol/panel-page';

export class PanelPage {
  /** Where the webview bundle lives: the only folder the page may load from. */
  readonly root: vscode.Uri;
  private assets: { styles: string[]; script: string } | undefined;

  constructor(extensionUri: vscode.Uri) {
    this.root = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
  }

  html(webview: vscode.Webview, first: HostMessage | undefined): string {
    const assets = (this.assets ??= readAssets(this.root.fsPath));
    return panelHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      assetsBase: `${webview.asWebviewUri(this.root).toString()}/`,
      styles: assets.styles,
      script: assets.script,
      first,
    });
  }
}

function readAssets(dir: string): { styles: string[]; script: string } {
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return { styles: [read('codicon.css'), read('main.css')], script: read('main.js') };
}
