// The shared step of the workspace text indexes: replace one file's entries when they changed.
// Entries are plain data; unchanged text yields equal entries, which must not bump a version
// (every bump re-maps the series that depend on the index).

/**
 * Stores `entries` (made by `make`) as `file`'s, unless they equal what is stored (compared by
 * `plain`, the extracted data). Returns whether anything changed.
 */
export function replaceFileEntries<E, S>(
  byFile: Map<string, S[]>,
  file: string,
  entries: readonly E[],
  plain: (s: S) => E,
  make: (e: E) => S,
): boolean {
  const before = byFile.get(file);
  if (!before?.length && entries.length === 0) return false;
  if (
    before &&
    before.length === entries.length &&
    before.every((s, i) => JSON.stringify(plain(s)) === JSON.stringify(entries[i]))
  )
    return false;
  if (entries.length) byFile.set(file, entries.map(make));
  else byFile.delete(file);
  return true;
}
