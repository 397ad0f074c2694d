/**
 * The calls a client has in flight, so that background work can go between the user's:
 * `quiet()` resolves once none is in flight and none has started for a macrotask (a query
 * run's next statement follows its last within microtasks, so a moment of no call in flight
 * is not yet a pause).
 */
export class Traffic {
  private inFlight = 0;
  private waiting: (() => void)[] = [];

  /** `call`, counted while it runs. */
  async track<T>(call: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await call();
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) for (const wake of this.waiting.splice(0)) wake();
    }
  }

  get calls(): number {
    return this.inFlight;
  }

  async quiet(): Promise<void> {
    for (;;) {
      if (this.inFlight > 0) await new Promise<void>((wake) => this.waiting.push(wake));
      await new Promise<void>((next) => setTimeout(next, 0));
      if (this.inFlight === 0) return;
    }
  }
}
