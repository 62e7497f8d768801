// The engine's side of triage group ids. A triage (span-triage.ts) announces each series group
// once per epoch and refers to it by a number afterwards, so a batch from the ingest worker
// carries typed arrays plus only the groups it met first, instead of every group's identity and
// location again (with one group per function, cloning those cost more than decoding the spans:
// bench lane (h)). Groups are kept per triage source: the worker and the engine's own in-process
// triage number theirs independently, and a restarted worker is a new source.
import type { CodeLocation } from '../model';
import type { SeriesIdentity } from '../store/series';
import type { TriageBatch, TriageGroup } from './span-triage';

/** A group as the engine records it: its deferred route shape (if any) filled in. */
export interface SettledGroup {
  key: string;
  identity: SeriesIdentity;
  loc: CodeLocation;
}

/** A settled group with its identity as the store asks for it (one function per group, not per span). */
export type RecordedGroup = SettledGroup & { identityOf: () => SeriesIdentity };

function recorded(g: SettledGroup): RecordedGroup {
  const { key, identity, loc } = g;
  return { key, identity, loc, identityOf: () => identity };
}

/** How a group's deferred route shape is filled in, and the route index version it used. */
export interface GroupSettler {
  /** Undefined when the group has nothing to fill in (it is recorded as announced). */
  settle(group: TriageGroup): SettledGroup | undefined;
  /** Changes when the route index does: groups settled before are settled again. */
  version(): number;
}

interface Entry {
  group: TriageGroup;
  settled: RecordedGroup;
  /** The route index version `settled` was made with; -1 when it needs none. */
  version: number;
}

/**
 * Per source and epoch. A worker restart or a new epoch starts a new table; older ones are let
 * go after a few more (a large batch of the old epoch may still be recording in slices).
 */
const MAX_TABLES = 4;

export class TriageGroups {
  private readonly tables = new Map<string, Map<number, Entry>>();

  constructor(private readonly settler: GroupSettler) {}

  /**
   * Learns the batch's new groups and returns a lookup from the batch's group ids to settled
   * groups (undefined for an id this source never announced, which ordered delivery rules out).
   */
  lookup(batch: TriageBatch): (id: number) => RecordedGroup | undefined {
    const table = `${batch.source}#${batch.epoch}`;
    let groups = this.tables.get(table);
    if (!groups) {
      if (this.tables.size >= MAX_TABLES) this.tables.delete(this.tables.keys().next().value!);
      this.tables.set(table, (groups = new Map()));
    }
    for (const g of batch.newGroups) if (!groups.has(g.id)) groups.set(g.id, this.entry(g));
    const version = this.settler.version();
    return (id) => {
      const e = groups.get(id);
      if (e === undefined) return undefined;
      if (e.version !== -1 && e.version !== version) {
        e.settled = recorded(this.settler.settle(e.group) ?? e.group);
        e.version = version;
      }
      return e.settled;
    };
  }

  private entry(group: TriageGroup): Entry {
    const settled = this.settler.settle(group);
    return settled
      ? { group, settled: recorded(settled), version: this.settler.version() }
      : { group, settled: recorded(group), version: -1 };
  }
}
