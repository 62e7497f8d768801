// One LogOutputChannel ("ProdLens") for the whole extension. Never logs secrets or raw payloads.
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

export function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('ProdLens', { log: true });
  return channel;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
