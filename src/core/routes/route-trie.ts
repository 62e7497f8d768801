// Route lookup by path segments, as a router does it, so matching one span's route costs the
// depth of the path rather than the number of routes (a monorepo registers tens of thousands).
// Canonical segments (route-pattern.ts): a literal, `{}` a parameter, `{*}` a catch-all.
interface Node<T> {
  statics: Map<string, Node<T>>;
  param?: Node<T>;
  /** Values whose pattern ends with a catch-all here. */
  rest: T[];
  /** Values whose pattern ends exactly here. */
  end: T[];
}

const node = <T>(): Node<T> => ({ statics: new Map(), rest: [] as T[], end: [] as T[] });

export class RouteTrie<T> {
  private readonly root = node<T>();

  /** Adds a value under a canonical route's segments (`['orders', '{}']`). */
  insert(segments: readonly string[], value: T): void {
    let n = this.root;
    for (const seg of segments) {
      if (seg === '{*}') {
        n.rest.push(value);
        return;
      }
      if (seg === '{}') n = n.param ??= node<T>();
      else {
        let next = n.statics.get(seg);
        if (!next) n.statics.set(seg, (next = node<T>()));
        n = next;
      }
    }
    n.end.push(value);
  }

  /**
   * Values whose pattern fits all of `segments` (a concrete path or a template): a literal fits
   * itself, a parameter fits any non-empty segment, a catch-all the rest.
   */
  fits(segments: readonly string[]): T[] {
    const out: T[] = [];
    this.walk(segments, (n, i) => {
      out.push(...n.rest); // a catch-all takes the rest, even nothing
      if (i === segments.length) out.push(...n.end);
    });
    return out;
  }

  /** Values whose pattern fits a prefix of `segments` ending at any depth (for reversed, partial routes). */
  prefixFits(segments: readonly string[]): { value: T; depth: number }[] {
    const out: { value: T; depth: number }[] = [];
    this.walk(segments, (n, i) => {
      for (const value of n.end) out.push({ value, depth: i });
    });
    return out;
  }

  /** Visits every node that a prefix of `segments` reaches, with the depth reached. */
  private walk(segments: readonly string[], visit: (n: Node<T>, depth: number) => void): void {
    const step = (n: Node<T>, i: number): void => {
      visit(n, i);
      if (i === segments.length) return;
      const seg = segments[i]!;
      const s = n.statics.get(seg);
      if (s) step(s, i + 1);
      if (n.param && seg !== '') step(n.param, i + 1);
    };
    step(this.root, 0);
  }
}
