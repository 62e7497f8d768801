// The most recent raw spans, for drill-down (slowest/failed examples behind a number). A fixed
// ring: memory is bounded by capacity whatever the ingest rate.
import type { SpanRecord } from '../model';

export interface RingEntry {
  span: SpanRecord;
  seriesId: string;
}

export class SpanRing {
  private readonly items: (RingEntry | undefined)[];
  private next = 0;

  constructor(readonly capacity = 5_000) {
    this.items = new Array<RingEntry | undefined>(capacity);
  }

  push(span: SpanRecord, seriesId: string): void {
    this.items[this.next] = { span, seriesId };
    this.next = (this.next + 1) % this.capacity;
  }

  /** Newest first, filtered to the given series. */
  find(seriesIds: ReadonlySet<string>, limit = 50): SpanRecord[] {
    const out: SpanRecord[] = [];
    for (let i = 1; i <= this.capacity && out.length < limit; i++) {
      const e = this.items[(this.next - i + this.capacity) % this.capacity];
      if (!e) break;
      if (seriesIds.has(e.seriesId)) out.push(e.span);
    }
    return out;
  }
}
