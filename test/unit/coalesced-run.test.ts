import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoalescedRun } from '../../src/core/sources/coalesced-run';

test('calls during a run share it and ask for exactly one more run after it', async () => {
  let runs = 0;
  let release: () => void = () => undefined;
  const r = new CoalescedRun(async () => {
    runs++;
    if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
  });
  const first = r.call();
  const second = r.call();
  const third = r.call();
  assert.equal(second, first);
  assert.equal(third, first);
  release();
  await first;
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(runs, 2, 'three calls during one run: that run and one more');
  await r.call();
  assert.equal(runs, 3);
});
