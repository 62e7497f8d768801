// Commands for production backends: set/clear a token (SecretStorage only, never settings or
// logs) and test every configured source with its latency.
import * as vscode from 'vscode';
import { formatMs } from '../../core/format/numbers';
import { EDITOR_SOURCE_KINDS } from '../../core/sources/source';
import { tokenKey, type BackendSources } from './backend-sources';

export async function setSourceToken(
  secrets: vscode.SecretStorage,
  sources: BackendSources,
): Promise<void> {
  const target = await pickSource(sources, 'Which source is the token for?');
  if (!target) return;
  const token = await vscode.window.showInputBox({
    title: `ProdLens: token for ${target.label}`,
    prompt: 'Sent as "Authorization: Bearer <token>". Stored in VS Code\'s secret storage only.',
    password: true,
    ignoreFocusOut: true,
  });
  if (!token) return;
  await secrets.store(tokenKey(target.sourceKind, target.environment), token);
  void vscode.window.showInformationMessage(`ProdLens: token stored for ${target.label}.`);
}

export async function clearSourceToken(
  secrets: vscode.SecretStorage,
  sources: BackendSources,
): Promise<void> {
  const target = await pickSource(sources, 'Clear the token of which source?');
  if (!target) return;
  await secrets.delete(tokenKey(target.sourceKind, target.environment));
  void vscode.window.showInformationMessage(`ProdLens: token cleared for ${target.label}.`);
}

export async function testConnections(sources: BackendSources): Promise<void> {
  if (sources.configured === 0) {
    const open = await vscode.window.showInformationMessage(
      'ProdLens: no production backends configured. Add Prometheus, Alertmanager, Sentry, Loki, Tempo, Jaeger or Zipkin under prodlens.sources (user settings).',
      'Open Settings',
    );
    if (open)
      void vscode.commands.executeCommand('workbench.action.openSettings', 'prodlens.sources');
    return;
  }
  const results = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'ProdLens: testing connections…' },
    () => sources.testConnections(),
  );
  await vscode.window.showQuickPick(
    results.map((r) => ({
      label: `${r.status.ok ? '$(pass-filled)' : '$(error)'} ${r.label}`,
      description: `${r.url} · ${formatMs(r.status.latencyMs)}`,
      detail: r.status.message,
    })),
    {
      title: `ProdLens: ${results.filter((r) => r.status.ok).length} of ${results.length} sources answered`,
    },
  );
}

async function pickSource(
  sources: BackendSources,
  title: string,
): Promise<{ sourceKind: string; environment: string; label: string } | undefined> {
  type Item = vscode.QuickPickItem & { sourceKind: string; environment: string };
  const configured: Item[] = sources.configs().map((c) => ({
    label: `${c.kind}${c.environment ? ` (${c.environment})` : ''}`,
    description: c.url,
    sourceKind: c.kind,
    environment: c.environment,
  }));
  const generic: Item[] = EDITOR_SOURCE_KINDS.map((k) => ({
    label: k,
    description: 'any environment',
    sourceKind: k,
    environment: '',
  }));
  return vscode.window.showQuickPick<Item>(configured.length ? configured : generic, {
    title: `ProdLens: ${title}`,
  });
}
