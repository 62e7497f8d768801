import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SourceHealth } from '../../src/core/sources/source-health';

const ok = { ok: true, message: 'ok' };
const refused = { ok: false, message: 'connection refused' };

test('an outage is announced once, whichever feeds keep failing, and its end once', () => {
  const h = new SourceHealth();
  assert.equal(h.note('prometheus (prod)', 'numbers', ok, true), undefined);
  assert.equal(h.note('prometheus (prod)', 'alerts', ok, false), undefined);
  assert.deepEqual(h.note('prometheus (prod)', 'alerts', refused, false), {
    kind: 'down',
    label: 'prometheus (prod)',
    message: 'connection refused',
    kept: true,
  });
  assert.equal(h.isDown('prometheus (prod)'), true);
  // Further failures of either feed during the same outage change nothing.
  assert.equal(h.note('prometheus (prod)', 'numbers', refused, true), undefined);
  assert.equal(h.note('prometheus (prod)', 'alerts', refused, false), undefined);
  // One feed answering is not the end of it: the other still fails.
  assert.equal(h.note('prometheus (prod)', 'numbers', ok, true), undefined);
  assert.deepEqual(h.note('prometheus (prod)', 'alerts', ok, false), {
    kind: 'up',
    label: 'prometheus (prod)',
  });
  assert.equal(h.isDown('prometheus (prod)'), false);
  assert.equal(h.note('prometheus (prod)', 'alerts', ok, false), undefined);
  // A second outage is a second announcement.
  assert.equal(h.note('prometheus (prod)', 'numbers', refused, true)?.kind, 'down');
});

test('a source that never gave values is announced as missing, and sources are kept apart', () => {
  const h = new SourceHealth();
  assert.deepEqual(h.note('loki', 'logs', refused, false), {
    kind: 'down',
    label: 'loki',
    message: 'connection refused',
    kept: false,
  });
  assert.equal(h.note('sentry', 'errors', ok, true), undefined);
  assert.equal(h.isDown('sentry'), false);
  assert.equal(h.note('sentry', 'errors', refused, true)?.kind, 'down');
  assert.equal(h.note('loki', 'logs', ok, true)?.kind, 'up');
  assert.equal(h.isDown('sentry'), true);
});
