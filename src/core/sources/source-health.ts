// Whether each backend source is down, from the outcome of every request made to it, so that an
// outage is announced once — by whichever feed (alerts, numbers, traces…) notices it first — and
// its end once, when every feed works again, instead of on every refresh. The editor turns these
// changes into a warning and a log line (extension/sources/backend-sources.ts); the soak bench
// counts them. Kept free of the editor so both count outages the same way.
import type { SourceStatus } from './source';

/** What one request's outcome changed about its source. */
export type HealthChange =
  /** The source just went down. `kept`: it gave values before, which are shown as last known. */
  | { kind: 'down'; label: string; message: string; kept: boolean }
  /** Every feed of a source that was down works again. */
  | { kind: 'up'; label: string };

export class SourceHealth {
  private readonly down = new Set<string>();
  /** Sources that gave values through any of their feeds at some point. */
  private readonly gaveValues = new Set<string>();
  /** Latest outcome per source label and feed ("alerts", "numbers"…). */
  private readonly feeds = new Map<string, Map<string, boolean>>();

  /** Notes the outcome of one request of `feed` to the source `label`. */
  note(
    label: string,
    feed: string,
    status: Pick<SourceStatus, 'ok' | 'message'>,
    haveValues: boolean,
  ): HealthChange | undefined {
    let h = this.feeds.get(label);
    if (!h) this.feeds.set(label, (h = new Map()));
    h.set(feed, status.ok);
    if (haveValues) this.gaveValues.add(label);
    if (!status.ok && !this.down.has(label)) {
      this.down.add(label);
      return { kind: 'down', label, message: status.message, kept: this.gaveValues.has(label) };
    }
    if (status.ok && [...h.values()].every((ok) => ok) && this.down.delete(label))
      return { kind: 'up', label };
    return undefined;
  }

  isDown(label: string): boolean {
    return this.down.has(label);
  }
}
