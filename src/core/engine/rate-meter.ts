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

  /**
   * Spans per second over the last few seconds, or counted so far in the current second when
   * that is more: at the start of a burst the average of the seconds before lags behind it.
   */
  perSecondRecent(now = Date.now(), seconds = 3): number {
    const sec = Math.floor(now / 1000);
    let total = 0;
    for (let i = 0; i < 60; i++)
      if (sec - (this.stamps[i] ?? 0) < seconds) total += this.slots[i] ?? 0;
    const i = sec % 60;
    const current = this.stamps[i] === sec ? (this.slots[i] ?? 0) : 0;
    return Math.max(total / seconds, current);
  }

  perMinute(now = Date.now()): number {
    const sec = Math.floor(now / 1000);
    let total = 0;
    for (let i = 0; i < 60; i++) if (sec - (this.stamps[i] ?? 0) < 60) total += this.slots[i] ?? 0;
    return total;
  }
}
