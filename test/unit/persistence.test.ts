import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AggregateStore } from '../../src/core/store/aggregate-store';
import { loadStore, saveStore, STORE_FILE } from '../../src/core/store/persistence';
import { seriesKey, type SeriesIdentity } from '../../src/core/store/series';

test('aggregates survive save and load with the same numbers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'prodlens-persist-'));
  try {
    const now = Date.now();
    const a = new AggregateStore({ now: () => now });
    const id: SeriesIdentity = {
      service: 's',
      environment: 'prod',
      version: '2',
      codeSource: 'code.file.path',
      filePath: '/app/x.ts',
      functionName: 'x',
      line: 3,
      spanName: 'x',
      kind: 1,
    };
    for (let i = 1; i <= 200; i++)
      a.record(seriesKey(id), () => id, now - i * 1000, i * 1.5, i % 10 === 0, now);
    await saveStore(a, dir);
    const b = new AggregateStore({ now: () => now });
    assert.equal(await loadStore(b, dir), 1);
    const sa = a.windowStats([a.get(seriesKey(id))!], 15 * 60_000);
    const sb = b.windowStats([b.get(seriesKey(id))!], 15 * 60_000);
    assert.deepEqual({ ...sb, series: [] }, { ...sa, series: [] });
    assert.deepEqual(b.get(seriesKey(id))!.identity, id);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing file restores nothing; a corrupt file is an error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'prodlens-persist-'));
  try {
    assert.equal(await loadStore(new AggregateStore(), dir), 0);
    writeFileSync(join(dir, STORE_FILE), '{"format": 99}');
    await assert.rejects(loadStore(new AggregateStore(), dir), /format/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
