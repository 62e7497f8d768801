import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeriesKeys } from '../../src/core/engine/series-keys';
import { seriesKeyOf } from '../../src/core/store/series';

test('cached keys equal the keys built from their parts, for code locations and span names', () => {
  const keys = new SeriesKeys();
  const r = { service: 's', environment: 'e', version: '1' };
  const other = { service: 's', environment: 'e', version: '2' };
  const loc = { source: 'code.file.path' as const, filePath: '/a.ts', functionName: 'f', line: 3 };
  const none = { source: 'none' as const };
  for (let i = 0; i < 2; i++) {
    assert.equal(keys.keyOf(r, loc, 1, 'x'), seriesKeyOf('s', 'e', '1', loc, 1, 'x'));
    assert.equal(keys.keyOf(other, loc, 1, 'x'), seriesKeyOf('s', 'e', '2', loc, 1, 'x'));
    assert.equal(keys.keyOf(r, none, 2, 'GET /a'), seriesKeyOf('s', 'e', '1', none, 2, 'GET /a'));
    assert.equal(keys.keyOf(r, none, 1, 'GET /a'), seriesKeyOf('s', 'e', '1', none, 1, 'GET /a'));
  }
  assert.notEqual(keys.keyOf(r, none, 2, 'GET /a'), keys.keyOf(r, none, 1, 'GET /a'));
  assert.notEqual(keys.keyOf(r, { ...loc, line: 4 }, 1, 'x'), keys.keyOf(r, loc, 1, 'x'));
});
