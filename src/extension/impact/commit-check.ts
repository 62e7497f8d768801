// The optional commit-time check: after a commit made through VS Code's Git, review what it
// changed against production and warn when it touches functions at or above the configured risk
// (`prodlens.impact.commitCheck`). The Git extension offers no pre-commit hook, so the warning
// comes right after the commit, while it is still easy to amend.
import * as vscode from 'vscode';
import { findChangedFunctions } from '../../core/impact/changed-functions';
import { assessImpact, riskAtLeast } from '../../core/impact/impact';
import { impactMarkdown } from '../../core/impact/markdown';
import { errorMessage, log } from '../logging';
import type { Session } from '../session';
import { updateEffective } from '../settings-write';

/** The slice of the built-in Git extension's API (v1) this check uses. */
interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly onDidCommit?: vscode.Event<void>;
}
interface GitApi {
  readonly repositories: GitRepository[];
  readonly onDidOpenRepository: vscode.Event<GitRepository>;
}

export async function watchCommits(session: Session, wasmDir: string): Promise<vscode.Disposable> {
  const subs: vscode.Disposable[] = [];
  const ext = vscode.extensions.getExtension<{ getAPI(version: 1): GitApi }>('vscode.git');
  if (!ext) return new vscode.Disposable(() => undefined);
  try {
    const api = (await ext.activate()).getAPI(1);
    const hook = (repo: GitRepository) => {
      if (repo.onDidCommit)
        subs.push(repo.onDidCommit(() => void check(session, repo.rootUri.fsPath, wasmDir)));
    };
    api.repositories.forEach(hook);
    subs.push(api.onDidOpenRepository(hook));
  } catch (e) {
    log().info(`commit check unavailable (Git extension): ${errorMessage(e)}`);
  }
  return new vscode.Disposable(() => subs.forEach((s) => s.dispose()));
}

async function check(session: Session, root: string, wasmDir: string): Promise<void> {
  const level = session.current.commitCheck;
  if (level === 'off') return;
  const engine = session.engine;
  try {
    // The commit just made is HEAD; compare with its parent.
    const changes = await findChangedFunctions(root, { base: 'HEAD~1', wasmDir });
    const c = session.current;
    const report = await assessImpact(changes, engine, {
      windowMs: c.windowMs,
      pathRules: c.pathRules,
      ...(c.environment ? { environment: c.environment } : {}),
    });
    const risky = report.items.filter((i) => riskAtLeast(i.risk, level));
    if (risky.length === 0) return;
    const first = risky[0]!;
    const pick = await vscode.window.showWarningMessage(
      `ProdLens: this commit touches ${risky.length} function${risky.length === 1 ? '' : 's'} at ${level} production risk or above — ${first.function}: ${first.reason}.`,
      'Copy Impact Report',
      'Stop Checking Commits',
    );
    if (pick === 'Copy Impact Report') await vscode.env.clipboard.writeText(impactMarkdown(report));
    else if (pick === 'Stop Checking Commits') await updateEffective('impact.commitCheck', 'off');
  } catch (e) {
    log().info(`commit check skipped: ${errorMessage(e)}`);
  }
}
