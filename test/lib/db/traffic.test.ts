import { describe, expect, it } from 'vitest';
import { Traffic } from '../../../src/lib/db/traffic.ts';

const later = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('Traffic', () => {
  it('quiet resolves at once (after a macrotask) when nothing is in flight', async () => {
    const t = new Traffic();
    let done = false;
    const q = t.quiet().then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    await q;
    expect(done).toBe(true);
  });

  it('quiet waits for a chain of calls that follow each other within microtasks, and for the calls in flight', async () => {
    const t = new Traffic();
    const log: string[] = [];
    // A dashboard run: five statements, each issued as soon as the one before ends.
    const run = (async () => {
      for (let k = 0; k < 5; k++) await t.track(() => later(5));
      log.push('run done');
    })();
    await Promise.resolve();
    expect(t.calls).toBe(1);
    const quiet = t.quiet().then(() => log.push('quiet'));
    await Promise.all([run, quiet]);
    expect(log).toEqual(['run done', 'quiet']);
    expect(t.calls).toBe(0);
  });

  it('counts a call that fails, and wakes the waiters when it ends', async () => {
    const t = new Traffic();
    const failing = t.track(() => later(5).then(() => Promise.reject(new Error('boom'))));
    const quiet = t.quiet();
    await expect(failing).rejects.toThrow('boom');
    await quiet;
    expect(t.calls).toBe(0);
  });
});
