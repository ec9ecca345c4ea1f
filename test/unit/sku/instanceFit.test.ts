/** A chosen instance against a recommendation: a tier that cannot hold the workload, a size smaller than it needs, one that fits. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { instanceFitWarnings } from '../../../src/core/sku/instanceFit';
import { recommendSku } from '../../../src/core/sku/recommend';
import { handSeries, ramp } from './series';

test('In-Memory OLTP: a General Purpose instance is told it needs Business Critical, whatever its size', () => {
  const r = recommendSku(handSeries({ vCores: ramp(20, 0.1), databases: [{ name: 'Trading', memoryOptimized: true, files: [{ name: 'Trading', sizeGb: 50 }, { name: 'Trading_log', type: 'LOG', sizeGb: 10 }] }] })).instance;
  const [w, ...more] = instanceFitWarnings(r, { name: 'mi-gp', tier: 'general-purpose', vCores: 80 });
  assert.equal(more.length, 0);
  assert.match(w!, /^mi-gp is General Purpose, which cannot hold this workload at any size: In-Memory OLTP \(Trading use In-Memory OLTP.*\); choose a Business Critical instance$/);
  assert.deepEqual(instanceFitWarnings(r, { name: 'mi-bc', tier: 'business-critical', vCores: 4 }), []);
});

test('CPU: 9.5 vCores at the 95th percentile do not fit 8; 16 do; the tier\'s recommended size is named', () => {
  const r = recommendSku(handSeries({ vCores: ramp(20, 0.5) })).instance; // P95 = 19 × 0.5
  const [w] = instanceFitWarnings(r, { name: 'mi-small', tier: 'general-purpose', vCores: 8 });
  assert.match(w!, /^mi-small \(General Purpose, 8 vCores\) is smaller than the workload needs: CPU \(vCores\) \(9\.5 vCores needed, 8 there\).*; General Purpose needs 16 vCores/);
  assert.deepEqual(instanceFitWarnings(r, { name: 'mi-big', tier: 'general-purpose', vCores: 16 }), []);
  assert.deepEqual(instanceFitWarnings(r, { name: 'mi-unknown' }), [], 'an unknown tier is not guessed at');
});
