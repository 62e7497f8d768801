// Spans per minute over a sliding minute, from 60 one-second slots. Cheap enough to call per
// batch; answers "is data arriving right now" for the status bar.
export class RateMeter {
  private readonly slots = new Float64Array(60);
  private readonly stamps = new Float64Array(60);

  add(n: number, now = Date.now()): void {
    const sec = Math.floor(now / 1000);
    const i = sec % 60;
    if (this.stamps[i] !== sec) {
      this.stamps[i] = sec;
      this.slots[i] = 0;
    }
    this.slots[i] = (this.slots[i] ?? 0) + n;
  }

  /** Spans per second over the last few seconds: reacts quickly to a burst. */
  perSecondRecent(now = Date.now(), seconds = 3): number {
    const sec = Math.floor(now / 1000);
    let total = 0;
    for (let i = 0; i < 60; i++)
      if (sec - (this.stamps[i] ?? 0) < seconds) total += this.slots[i] ?? 0;
    return total / seconds;
  }

  perMinute(now = Date.now()): number {
    const sec = Math.floor(now / 1000);
    let total = 0;
    for (let i = 0; i < 60; i++) if (sec - (this.stamps[i] ?? 0) < 60) total += this.slots[i] ?? 0;
    return total;
  }
}
