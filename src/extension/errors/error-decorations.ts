// Errors on the code: the throwing line of each production exception shows its count, when it
// was last seen and its message; the hover lists the frames as links to the exact lines. With
// `prodlens.errors.showInProblems`, the same errors appear in the Problems view. Errors come from
// the receiver (span events, log records) and from error backends (Sentry issues, fetched in the
// background by BackendFeeds); each says where it came from, and counts from different sources
// are never added up.
import * as vscode from 'vscode';
import { formatAgo, formatCount } from '../../core/format/numbers';
import { plainText } from '../../core/format/presentation';
import type { BackendErrors } from '../../core/insights/backend-errors';
import type { LocatedError } from '../../core/engine/error-groups';
import { Commands } from '../command-ids';
import { errorMessage, log } from '../logging';
import type { Session } from '../session';
import { relPath, uriOf } from '../workspace-paths';

const MAX_INLINE = 90;

export class ErrorDecorations implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    after: {
      color: new vscode.ThemeColor('editorError.foreground'),
      margin: '0 0 0 2em',
      fontStyle: 'italic',
    },
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.errorForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Right,
  });
  private readonly problems = vscode.languages.createDiagnosticCollection('prodlens');
  private watching = false;
  private functionsVersion = 0;
  private located: LocatedError[] = [];
  private running = false;
  private again = false;
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly session: Session,
    private readonly backend?: { errors: BackendErrors; onDidChange: vscode.Event<void> },
  ) {
    this.subs.push(
      session.onDidChangeData(() => void this.refresh()),
      ...(backend ? [backend.onDidChange(() => void this.refresh())] : []),
      vscode.window.onDidChangeVisibleTextEditors(() => this.apply()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('prodlens.errors')) this.apply();
      }),
    );
  }

  async refresh(): Promise<void> {
    const engine = this.session.engine;
    if (!engine) return;
    if (this.running) {
      this.again = true;
      return;
    }
    const backend = this.backend?.errors;
    if (engine.errorGroupCount === 0 && (backend?.size ?? 0) === 0 && this.located.length === 0)
      return;
    this.running = true;
    try {
      if (!this.watching) {
        this.watching = true;
        engine.onDidChangeFunctions(() => this.functionsVersion++);
      }
      const { windowMs, environment } = this.session.current;
      const since = engine.now() - windowMs;
      const version = `${engine.files.version}:${this.functionsVersion}:${engine.codeLookup().resolver.drift?.version ?? -1}`;
      const local = await engine.locateErrors(since, version);
      // The same resolver (and its cache) for the backend's frames; its issues end at their lastSeen.
      const remote = backend
        ? (
            await backend.locate(engine.codeLookup().resolver, Date.now() - windowMs, version)
          ).filter(
            (e) =>
              !environment ||
              !e.group.backend?.environment ||
              e.group.backend.environment === environment,
          )
        : [];
      this.located = mergeByLine([...local, ...remote]);
      this.apply();
    } catch (e) {
      log().warn(`errors on code: ${errorMessage(e)}`);
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    }
  }

  private apply(): void {
    const now = Date.now();
    for (const editor of vscode.window.visibleTextEditors) {
      const rel = relPath(editor.document.uri);
      // One note per line: the receiver's and a backend's errors on one line share it.
      const byLine = new Map<number, LocatedError[]>();
      for (const e of this.located) {
        if (e.top.file !== rel) continue;
        const line = Math.min(editor.document.lineCount - 1, (e.top.line ?? 1) - 1);
        byLine.set(line, [...(byLine.get(line) ?? []), e]);
      }
      editor.setDecorations(
        this.type,
        [...byLine].map(([line, list]) => {
          // The whole line, so hovering anywhere on the throwing line shows the frames; the note
          // renders after its end.
          const whole = editor.document.lineAt(line).range;
          return {
            range: whole,
            renderOptions: { after: { contentText: inlineAll(list, now) } },
            hoverMessage: list.map((e) => hover(e, now)),
          };
        }),
      );
    }
    this.problems.clear();
    if (!this.session.current.errorsInProblems) return;
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const e of this.located) {
      const line = (e.top.line ?? 1) - 1;
      const from = e.group.backend
        ? `, from ${e.group.backend.label}${e.group.backend.stale ? ', stale' : ''}`
        : '';
      const d = new vscode.Diagnostic(
        new vscode.Range(line, 0, line, 1_000),
        plainText(
          `${e.group.type}: ${e.group.message} (${formatCount(e.group.count)}× in production, last ${formatAgo(now - e.group.lastSeenMs)}${from})`,
        ),
        vscode.DiagnosticSeverity.Warning,
      );
      d.source = 'ProdLens';
      const list = byFile.get(e.top.file!) ?? [];
      list.push(d);
      byFile.set(e.top.file!, list);
    }
    for (const [file, diags] of byFile) {
      const uri = uriOf(file);
      if (uri) this.problems.set(uri, diags);
    }
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.type.dispose();
    this.problems.dispose();
  }
}

/**
 * One entry per throwing line: the same throw is often recorded by several spans (each traced
 * caller records it) and with different messages, which would stack notes on one line.
 */
function mergeByLine(list: LocatedError[]): LocatedError[] {
  const byLine = new Map<string, LocatedError>();
  for (const e of list) {
    // Per source: the receiver and Sentry may both have seen the same throws.
    const key = `${e.top.file}:${e.top.line}:${e.group.backend?.label ?? ''}`;
    const seen = byLine.get(key);
    if (!seen) {
      byLine.set(key, { ...e, group: { ...e.group } });
      continue;
    }
    const latest = e.group.lastSeenMs > seen.group.lastSeenMs ? e : seen;
    byLine.set(key, {
      ...latest,
      group: {
        ...latest.group,
        count: seen.group.count + e.group.count,
        firstSeenMs: Math.min(seen.group.firstSeenMs, e.group.firstSeenMs),
      },
    });
  }
  return [...byLine.values()].sort((a, b) => b.group.count - a.group.count);
}

export function inline(e: LocatedError, now: number): string {
  // Telemetry text goes into a decoration's plain text: control and bidi characters would reorder it.
  const msg = plainText(`${e.group.type}: ${e.group.message}`);
  const from = e.group.backend
    ? ` · ${e.group.backend.label}${e.group.backend.stale ? ' · stale' : ''}`
    : '';
  const text = `⚠ ${formatCount(e.group.count)}×${from} · ${formatAgo(now - e.group.lastSeenMs)} · ${msg}`;
  return text.length > MAX_INLINE ? `${text.slice(0, MAX_INLINE - 1)}…` : text;
}

/** The busiest entry's note, and how many other sources saw throws here. */
function inlineAll(list: LocatedError[], now: number): string {
  const [first, ...rest] = [...list].sort((a, b) => b.group.count - a.group.count);
  const more = rest.length
    ? ` (+${rest.map((e) => e.group.backend?.label ?? 'receiver').join(', ')})`
    : '';
  const text = inline(first!, now);
  return more
    ? `${text.length + more.length > MAX_INLINE ? `${text.slice(0, Math.max(10, MAX_INLINE - more.length - 1))}…` : text}${more}`
    : text;
}

function hover(e: LocatedError, now: number): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.isTrusted = { enabledCommands: [Commands.openFunction] };
  md.appendMarkdown('**ProdLens: thrown in production** · ');
  const b = e.group.backend;
  if (b) {
    md.appendText(
      `${formatCount(e.group.count)} events, last ${formatAgo(now - e.group.lastSeenMs)} (from ${b.label}${b.shortId ? `, ${b.shortId}` : ''}${b.stale ? '; STALE: the backend is not answering, these are its last values' : ''})`,
    );
    // Only an http(s) link from the backend becomes a link; its text is escaped like any other.
    const link = safeLink(b.url);
    if (link) md.appendMarkdown(` · [open in ${escapeMd(b.label)}](${link})`);
  } else {
    md.appendText(
      `${formatCount(e.group.count)} times, last ${formatAgo(now - e.group.lastSeenMs)} (${e.group.service}, from ${e.group.origin}s)`,
    );
  }
  md.appendMarkdown('\n\n');
  md.appendText(`${e.group.type}: ${e.group.message}`);
  md.appendMarkdown('\n\n');
  for (const f of e.frames.slice(0, 12)) {
    if (f.inWorkspace && f.file && f.line) {
      const args = encodeURIComponent(JSON.stringify([f.file, f.line]));
      md.appendMarkdown(`- [`);
      md.appendText(
        `${f.function?.qualifiedName ?? f.frame.function ?? '?'} — ${f.file}:${f.line}`,
      );
      md.appendMarkdown(`](command:${Commands.openFunction}?${args})\n`);
    } else {
      md.appendMarkdown('- ');
      md.appendText(
        `${f.frame.raw.trim().slice(0, 120)} (${f.outside ?? 'outside the workspace'})`,
      );
      md.appendMarkdown('\n');
    }
  }
  return md;
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** An http(s) URL as a Markdown link target, or undefined. */
function safeLink(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    return u.href.replace(/[()<>\s]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  } catch {
    return undefined;
  }
}
