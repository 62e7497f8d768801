// User-supplied deployed-path → workspace-path rewrites (settings `prodlens.pathMappings`), e.g.
// `{ "from": "/app/", "to": "services/api/" }`. Validated here so a bad setting is reported
// where the user sees it instead of silently matching nothing.
export interface PathRule {
  from: string;
  to: string;
}

export interface PathRuleProblem {
  index: number;
  message: string;
}

export function validatePathRules(raw: unknown): {
  rules: PathRule[];
  problems: PathRuleProblem[];
} {
  const rules: PathRule[] = [];
  const problems: PathRuleProblem[] = [];
  if (raw === undefined || raw === null) return { rules, problems };
  if (!Array.isArray(raw))
    return {
      rules,
      problems: [
        { index: -1, message: 'must be an array of { "from": "...", "to": "..." } objects' },
      ],
    };
  raw.forEach((r: unknown, index) => {
    const o = r as Partial<Record<string, unknown>>;
    if (
      typeof r !== 'object' ||
      r === null ||
      typeof o.from !== 'string' ||
      typeof o.to !== 'string'
    ) {
      problems.push({ index, message: 'needs string "from" and "to"' });
    } else if (o.from.length === 0) {
      problems.push({ index, message: '"from" must not be empty' });
    } else {
      rules.push({
        from: normalizeDeployedPath(o.from),
        to: o.to.replace(/\\/g, '/').replace(/^\.\//, '').replace(/^\/+/, ''),
      });
    }
  });
  return { rules, problems };
}

/** `file://` URLs, Windows separators and `./` segments to one plain forward-slash form. */
export function normalizeDeployedPath(p: string): string {
  let s = p.trim();
  if (s.startsWith('file://')) {
    try {
      s = decodeURIComponent(new URL(s).pathname);
    } catch {
      s = s.slice('file://'.length);
    }
  }
  s = s
    .replace(/\\/g, '/')
    .replace(/\/\.\//g, '/')
    .replace(/\/{2,}/g, '/');
  // Windows drive paths through a URL come out as `/C:/...`.
  if (/^\/[A-Za-z]:\//.test(s)) s = s.slice(1);
  return s;
}

/**
 * A folder's rules as a multi-root workspace applies them: their targets name that folder's files,
 * which the workspace calls `folder/path` (`prefix` = `folder/`; '' leaves the rules as they are).
 */
export function rulesUnderFolder(rules: readonly PathRule[], prefix: string): PathRule[] {
  return prefix
    ? rules.map((r) => ({ ...r, to: prefix + r.to.replace(/^\.?\//, '') }))
    : [...rules];
}
