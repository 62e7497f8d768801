// One run at a time of a background refresh: a call while one runs returns that run and asks for
// exactly one more after it, so bursts of triggers (timer, settings, window) cost at most two runs.
export class CoalescedRun {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly run: () => Promise<void>) {}

  call(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.run().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        void this.call();
      }
    });
    return this.running;
  }
}
