// One writer per aggregates folder. Two editor windows (or two code-server tabs) on one workspace
// share its storage folder; if both saved, each would overwrite the other's numbers with its own.
// The writer holds a lease file it renews with every save; another process reads it and stays a
// reader (its numbers live on in memory) until the lease goes stale — the writer closed or crashed —
// and then takes over.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

export const LEASE_FILE = 'writer.lease';
/** A lease not renewed for this long is free: a writer saving every few seconds renews it well within. */
const STALE_MS = 30_000;

interface LeaseFile {
  owner: string;
  host: string;
  pid: number;
  renewedAt: number;
}

export class WriterLease {
  /** Who this process is: host, pid and a random part (one process may open several engines). */
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  constructor(
    private readonly dir: string,
    private readonly now: () => number = Date.now,
    private readonly staleMs = STALE_MS,
  ) {}

  /** The current lease, if a readable one exists. */
  async holder(): Promise<LeaseFile | undefined> {
    try {
      const data = JSON.parse(await fs.readFile(join(this.dir, LEASE_FILE), 'utf8')) as LeaseFile;
      return typeof data.owner === 'string' && typeof data.renewedAt === 'number'
        ? data
        : undefined;
    } catch {
      return undefined; // none, or torn: free
    }
  }

  /**
   * Whether this process may write now: takes the lease when it is free or stale, renews it when it
   * is ours; false while another process holds a fresh one. Two takers racing: the rename that lands
   * last wins, and the read-back tells the other it lost.
   */
  async acquire(): Promise<boolean> {
    const current = await this.holder();
    if (current && current.owner !== this.owner && this.now() - current.renewedAt < this.staleMs)
      return false;
    const mine: LeaseFile = {
      owner: this.owner,
      host: hostname(),
      pid: process.pid,
      renewedAt: this.now(),
    };
    await fs.mkdir(this.dir, { recursive: true });
    const tmp = join(this.dir, `${LEASE_FILE}.${this.owner.replace(/[^\w]/g, '_')}.tmp`);
    await fs.writeFile(tmp, JSON.stringify(mine));
    await fs.rename(tmp, join(this.dir, LEASE_FILE));
    return (await this.holder())?.owner === this.owner;
  }

  /** Gives the lease up (a closing window), so another one can take over at once. */
  async release(): Promise<void> {
    if ((await this.holder())?.owner !== this.owner) return;
    await fs.rm(join(this.dir, LEASE_FILE), { force: true });
  }
}
