// One writer per aggregates folder: a second window stays a reader while the first renews its
// lease, takes over once it goes stale (a crashed window) or is released (a closed one).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LEASE_FILE, WriterLease } from '../../src/core/store/writer-lease';

const dir = mkdtempSync(join(tmpdir(), 'prodlens-lease-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('one writer at a time: renewals keep it, staleness or release hands it over', async () => {
  let now = 1_000_000;
  const first = new WriterLease(dir, () => now, 30_000);
  const second = new WriterLease(dir, () => now, 30_000);
  assert.equal(await first.acquire(), true, 'a free folder: the first window writes');
  assert.equal(await second.acquire(), false, 'the second window reads');
  now += 20_000;
  assert.equal(await first.acquire(), true, 'saving renews the lease');
  now += 20_000;
  assert.equal(await second.acquire(), false, 'renewed 20 s ago: still the first window’s');
  now += 31_000;
  assert.equal(
    await second.acquire(),
    true,
    'not renewed for 31 s (the first window crashed): taken over',
  );
  assert.equal(await first.acquire(), false, 'and the first one, if it comes back, reads');
  await second.release();
  assert.equal(await first.acquire(), true, 'a released lease is free at once');
});

test('a torn lease file is free, not an error', async () => {
  writeFileSync(join(dir, LEASE_FILE), '{"owner": "x", "renewedAt');
  const w = new WriterLease(dir);
  assert.equal(await w.acquire(), true);
});
