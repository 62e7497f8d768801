// Sentry as an error source: a project's issues in an environment, and the stack frames of an
// issue's latest event shaped as a ParsedStack, so StackResolver maps them to workspace code like
// a parsed trace. Frames are read in both the API's camelCase (`absPath`, `lineNo`, `inApp`) and
// the event payload's snake_case (`abs_path`, `lineno`, `in_app`).
import {
  classifyFrame,
  type ExceptionInfo,
  type FrameFields,
  type ParsedStack,
  type StackFrame,
  type StackLanguage,
} from '../stacktrace/frame';
import { SourceClient } from './source-client';
import { HttpClient, SourceError } from './http-client';
import { type ErrorIssueRecord, type SourceConfig, type SourceStatus, probeStatus } from './source';

export interface SentryOptions {
  /** Organization slug. */
  organization: string;
  /** Project slug. */
  project: string;
}

export interface SentryIssueQuery {
  /** Sentry search syntax; default `is:unresolved`. */
  query?: string;
  /** Defaults to the source's environment; '' asks for all. */
  environment?: string;
  /** e.g. `24h`, `14d`. */
  statsPeriod?: string;
}

/** An issue's latest event with its frames ready for StackResolver. */
export interface SentryEventStack {
  eventId: string;
  title: string;
  platform: string;
  /** Frames in Sentry's order per exception: oldest call first, the raising frame last. */
  stack: ParsedStack;
}

interface SentryIssue {
  id?: string;
  shortId?: string;
  title?: string;
  culprit?: string;
  count?: string | number;
  userCount?: number;
  firstSeen?: string;
  lastSeen?: string;
  level?: string;
  status?: string;
  permalink?: string;
}

interface SentryFrame {
  filename?: string | null;
  absPath?: string | null;
  abs_path?: string | null;
  module?: string | null;
  function?: string | null;
  lineNo?: number | null;
  lineno?: number | null;
  colNo?: number | null;
  colno?: number | null;
  inApp?: boolean | null;
  in_app?: boolean | null;
  platform?: string | null;
}

interface SentryException {
  type?: string | null;
  value?: string | null;
  module?: string | null;
  stacktrace?: { frames?: SentryFrame[] } | null;
}

interface SentryEvent {
  eventID?: string;
  id?: string;
  title?: string;
  platform?: string;
  entries?: { type?: string; data?: { values?: SentryException[] } }[];
}

const LANGUAGE_BY_PLATFORM: Record<string, StackLanguage> = {
  python: 'python',
  javascript: 'javascript',
  node: 'javascript',
  java: 'java',
  go: 'go',
  csharp: 'dotnet',
  ruby: 'ruby',
  php: 'php',
};
const LANGUAGE_BY_EXT: [RegExp, StackLanguage][] = [
  [/\.py$/i, 'python'],
  [/\.(?:java|kt|scala|groovy)$/i, 'java'],
  [/\.go$/i, 'go'],
  [/\.cs$/i, 'dotnet'],
  [/\.rb$/i, 'ruby'],
  [/\.php$/i, 'php'],
];

function languageOf(platform: string | null | undefined, file: string | undefined): StackLanguage {
  const byPlatform = platform ? LANGUAGE_BY_PLATFORM[platform.toLowerCase()] : undefined;
  if (byPlatform) return byPlatform;
  for (const [re, lang] of LANGUAGE_BY_EXT) if (file && re.test(file)) return lang;
  return 'javascript';
}

/**
 * The path to resolve: the absolute path when it is one (more segments for the suffix match),
 * else the relative filename. JavaScript `absPath`s are often URLs (`app:///dist/x.js`).
 */
function fileOf(f: SentryFrame): string | undefined {
  const abs = f.absPath ?? f.abs_path ?? undefined;
  const rel = f.filename ?? undefined;
  if (abs && (abs.startsWith('/') || /^[A-Za-z]:[\\/]/.test(abs))) return abs;
  if (abs && /^[a-z]+:\/\/\/?/i.test(abs)) return abs.replace(/^[a-z]+:\/\/[^/]*/i, '') || rel;
  return rel || abs || undefined;
}

/** StackFrames and ExceptionInfos from an event's exception values (Sentry order kept). */
export function stackFromSentryEvent(event: SentryEvent): ParsedStack {
  const values = (event.entries ?? [])
    .filter((e) => e.type === 'exception')
    .flatMap((e) => e.data?.values ?? []);
  const frames: StackFrame[] = [];
  const exceptions: ExceptionInfo[] = [];
  const languages = new Set<StackLanguage>();
  for (const [i, ex] of values.entries()) {
    const info: ExceptionInfo = {
      relation: i === 0 ? 'first' : 'effect',
      frames: [],
      innermostFirst: false,
      lineIndex: frames.length,
    };
    if (i > 0) info.relatedTo = i - 1; // Sentry lists a chain's cause before the exception it led to.
    if (ex.type)
      info.type = ex.module && !ex.type.includes('.') ? `${ex.module}.${ex.type}` : ex.type;
    if (ex.value) info.message = ex.value;
    for (const sf of ex.stacktrace?.frames ?? []) {
      const file = fileOf(sf);
      const language = languageOf(sf.platform ?? event.platform, file);
      const fields: FrameFields = { language };
      if (sf.function) fields.function = sf.function;
      if (language === 'java' && sf.module) fields.className = sf.module;
      if (file) fields.file = file;
      const line = sf.lineNo ?? sf.lineno;
      const column = sf.colNo ?? sf.colno;
      if (typeof line === 'number') fields.line = line;
      if (typeof column === 'number') fields.column = column;
      let { kind, reason } = classifyFrame(fields);
      // Sentry's in-app flag (the project's own rules) demotes frames the path alone cannot judge.
      const inApp = sf.inApp ?? sf.in_app;
      if (kind === 'app' && inApp === false) {
        kind = 'dependency';
        reason = `Sentry marks ${file ?? 'the frame'} as not in-app`;
      }
      const frame: StackFrame = {
        ...fields,
        raw: `${sf.function ?? '?'} (${file ?? '?'}${line ? `:${line}` : ''}${column ? `:${column}` : ''})`,
        lineIndex: frames.length,
        kind,
        exception: exceptions.length,
      };
      if (reason) frame.kindReason = reason;
      frames.push(frame);
      info.frames.push(frame);
      languages.add(language);
    }
    info.language = info.frames[0]?.language ?? languageOf(event.platform, undefined);
    exceptions.push(info);
  }
  return {
    frames,
    exceptions,
    truncatedFrames: 0,
    unparsedLines: 0,
    oversizedLines: 0,
    truncatedText: false,
    languages: [...languages],
  };
}

export class SentrySource extends SourceClient {
  constructor(
    config: SourceConfig,
    private readonly opts: SentryOptions,
    client?: HttpClient,
  ) {
    super(config, 'check PRODLENS_SENTRY_TOKEN (scopes event:read, project:read)', client);
  }

  private get projectPath(): string {
    return `api/0/projects/${encodeURIComponent(this.opts.organization)}/${encodeURIComponent(this.opts.project)}`;
  }

  /** Reads the project: proves the URL, the token and the organization/project slugs. */
  async testConnection(signal?: AbortSignal): Promise<SourceStatus> {
    this.lastStatus = await probeStatus(signal, async () => {
      const p = await this.client.getJson<{ slug?: string }>(`${this.projectPath}/`, {}, signal);
      if (!p || typeof p !== 'object' || typeof p.slug !== 'string')
        throw this.unlike(`${this.projectPath}/`);
      return `ok (Sentry project ${p.slug})`;
    });
    return this.lastStatus;
  }

  /** The project's issues in the environment (first page, Sentry's order). */
  async issues(q: SentryIssueQuery = {}, signal?: AbortSignal): Promise<ErrorIssueRecord[]> {
    const environment = q.environment ?? this.config.environment;
    const path = `${this.projectPath}/issues/`;
    const body = await this.client.getJson<unknown>(
      path,
      {
        query: q.query ?? 'is:unresolved',
        environment: environment || undefined,
        statsPeriod: q.statsPeriod,
      },
      signal,
    );
    if (!Array.isArray(body)) throw this.unlike(path);
    return (body as SentryIssue[]).map((i) => ({
      id: String(i.id ?? ''),
      shortId: i.shortId ?? '',
      title: i.title ?? '',
      culprit: i.culprit ?? '',
      count: Number(i.count ?? 0) || 0,
      userCount: Number(i.userCount ?? 0) || 0,
      firstSeen: i.firstSeen ?? '',
      lastSeen: i.lastSeen ?? '',
      level: i.level ?? '',
      status: i.status ?? '',
      permalink: i.permalink ?? '',
      source: 'sentry' as const,
      environment,
    }));
  }

  /** The latest event of an issue, with its exception frames as a ParsedStack. */
  async latestEventStack(issueId: string, signal?: AbortSignal): Promise<SentryEventStack> {
    if (!/^\d+$/.test(issueId))
      throw new SourceError(
        'bad-response',
        `${this.client.label}: ${JSON.stringify(issueId.slice(0, 64))} is not a Sentry issue id`,
      );
    const path = `api/0/issues/${issueId}/events/latest/`;
    let event: SentryEvent;
    try {
      event = await this.client.getJson<SentryEvent>(path, {}, signal);
    } catch (e) {
      // Newer deployments document only the organization-scoped path.
      if (!(e instanceof SourceError && e.status === 404)) throw e;
      event = await this.client.getJson<SentryEvent>(
        `api/0/organizations/${encodeURIComponent(this.opts.organization)}/issues/${issueId}/events/latest/`,
        {},
        signal,
      );
    }
    if (
      !event ||
      typeof event !== 'object' ||
      Array.isArray(event) ||
      (event.entries !== undefined && !Array.isArray(event.entries))
    )
      throw this.unlike(path);
    return {
      eventId: event.eventID ?? event.id ?? '',
      title: event.title ?? '',
      platform: event.platform ?? '',
      stack: stackFromSentryEvent(event),
    };
  }

  private unlike(path: string): SourceError {
    return new SourceError(
      'bad-response',
      `${this.client.label} at ${this.client.displayUrl} answered ${path} unlike Sentry`,
    );
  }
}
