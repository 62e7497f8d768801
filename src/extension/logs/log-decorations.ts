// Log lines on the code: each log statement that printed records in the window shows how many, by
// level, and when last; the hover lists the latest lines (as text: log bodies are untrusted), their
// trace ids, and how the records were matched to the statement. Lines from a log backend (Loki,
// fetched in the background by BackendFeeds) are counted apart and say where they came from.
import * as vscode from 'vscode';
import { formatAgo, formatCount, formatDuration } from '../../core/format/numbers';
import { plainText } from '../../core/format/presentation';
import type { StatementLogSummary } from '../../core/logs/statement-logs';
import type { BackendLogs, LogsOrigin } from '../../core/sources/backend-logs';
import { Commands } from '../command-ids';
import type { Session } from '../session';
import { relPath } from '../workspace-paths';

const MAX_INLINE = 90;
const HOVER_LINES = 5;
const REDRAW_AFTER_EDIT_MS = 400;

export class LogDecorations implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    after: {
      color: new vscode.ThemeColor('editorCodeLens.foreground'),
      margin: '0 0 0 2em',
      fontStyle: 'italic',
    },
  });
  private readonly subs: vscode.Disposable[] = [];
  private redraw: NodeJS.Timeout | undefined;

  constructor(
    private readonly session: Session,
    private readonly backend?: {
      readonly logs: BackendLogs | undefined;
      onDidChange: vscode.Event<void>;
    },
  ) {
    this.subs.push(
      session.onDidChangeData(() => this.apply()),
      ...(backend ? [backend.onDidChange(() => this.apply())] : []),
      vscode.window.onDidChangeVisibleTextEditors(() => this.apply()),
      vscode.workspace.onDidChangeTextDocument(() => {
        // Statements move with an edit once the buffer is re-indexed (with its lenses); redraw then.
        if (!this.session.engine?.hasStatementLogs && !this.backend?.logs?.sourceCount) return;
        clearTimeout(this.redraw);
        this.redraw = setTimeout(() => this.apply(), REDRAW_AFTER_EDIT_MS);
      }),
    );
  }

  private apply(): void {
    const engine = this.session.engine;
    if (!engine) return;
    const windowMs = this.session.current.windowMs;
    const now = engine.now();
    for (const editor of vscode.window.visibleTextEditors) {
      const rel = relPath(editor.document.uri);
      const here: { s: StatementLogSummary; origin?: LogsOrigin }[] = rel
        ? engine.logsInFile(rel, now - windowMs).map((s) => ({ s }))
        : [];
      const env = this.session.current.environment;
      const remote =
        rel && this.backend?.logs
          ? this.backend.logs
              .inFile(rel, Date.now() - windowMs)
              .filter((r) => !env || !r.origin.environment || r.origin.environment === env)
          : [];
      for (const r of remote) here.push({ s: r.summary, origin: r.origin });
      // One note per statement line: the receiver's count first, a backend's beside it.
      const byLine = new Map<number, { s: StatementLogSummary; origin?: LogsOrigin }[]>();
      for (const h of here)
        if (h.s.statement.line <= editor.document.lineCount)
          byLine.set(h.s.statement.line, [...(byLine.get(h.s.statement.line) ?? []), h]);
      editor.setDecorations(
        this.type,
        [...byLine].map(([line, list]) => {
          const range = editor.document.lineAt(line - 1).range;
          const text = list
            .map((h) => inline(h.s, windowMs, h.origin ? Date.now() : now, h.origin))
            .join('  ');
          return {
            range,
            renderOptions: {
              after: {
                contentText:
                  text.length > MAX_INLINE * 2 ? `${text.slice(0, MAX_INLINE * 2 - 1)}…` : text,
              },
            },
            hoverMessage: list.map((h) =>
              hover(h.s, windowMs, h.origin ? Date.now() : now, h.origin),
            ),
          };
        }),
      );
    }
  }

  dispose(): void {
    clearTimeout(this.redraw);
    for (const s of this.subs) s.dispose();
    this.type.dispose();
  }
}

function levels(s: StatementLogSummary): string {
  const order = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'unknown'] as const;
  return order
    .filter((l) => s.byLevel[l])
    .map((l) => `${formatCount(s.byLevel[l]!)} ${l}`)
    .join(', ');
}

export function inline(
  s: StatementLogSummary,
  windowMs: number,
  now: number,
  origin?: LogsOrigin,
): string {
  const approx = s.confidence === 'low' || s.confidence === 'medium' ? '≈' : '';
  const from = origin ? ` · ${origin.label}${origin.stale ? ' · stale' : ''}` : '';
  const atLeast = origin?.truncated ? '≥' : '';
  const text = `≡ ${approx}${atLeast}${formatCount(s.count)} log line${s.count === 1 ? '' : 's'} in ${formatDuration(windowMs)} (${levels(s)}) · last ${formatAgo(now - s.lastSeenMs)}${from}`;
  return text.length > MAX_INLINE ? `${text.slice(0, MAX_INLINE - 1)}…` : text;
}

function hover(
  s: StatementLogSummary,
  windowMs: number,
  now: number,
  origin?: LogsOrigin,
): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.isTrusted = { enabledCommands: [Commands.openFunction] };
  md.appendMarkdown('**ProdLens: logged in production** · ');
  md.appendText(
    `${formatCount(s.count)} lines in the last ${formatDuration(windowMs)} (${levels(s)})`,
  );
  if (origin) {
    md.appendMarkdown('\n\n');
    md.appendText(
      `from ${origin.label}${origin.truncated ? ` — counted in the newest ${formatCount(origin.limit)} lines of the window that the query returned` : ''}${origin.stale ? ` — STALE: ${origin.message ?? 'the backend is not answering'}; last answer ${formatAgo(Date.now() - origin.fetchedAt)}` : ''}`,
    );
  }
  md.appendMarkdown('\n\n');
  for (const l of s.latest.slice(0, HOVER_LINES)) {
    md.appendMarkdown('- ');
    const body = plainText(l.body).replace(/\s+/g, ' ').slice(0, 200);
    md.appendText(
      `${formatAgo(now - l.timeMs)} · ${l.level} · ${l.service} · ${body}${l.traceId ? ` · trace ${l.traceId.slice(0, 16)}` : ''}`,
    );
    md.appendMarkdown('\n');
  }
  md.appendMarkdown('\n');
  md.appendText(`Mapped by ${s.rule} (${s.confidence}): ${s.explanation}`);
  return md;
}
