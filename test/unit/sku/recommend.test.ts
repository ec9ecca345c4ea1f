/**
 * The recommender on hand-computed series. Each expectation is worked out from the limits table
 * (2026-03-10) in the comment next to it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parsePriceSheet } from '../../../src/core/pricing';
import { NotEnoughDataError, percentile, recommendSku, requirementsOf } from '../../../src/core/sku';
import { handSeries, ramp } from './series';

const sheet = (currency = 'USD', region = 'eastus') => parsePriceSheet(readFileSync('sandbox/prices/retail-prices.json', 'utf8'), 'fixture', { region, currency });

test('percentile is the nearest rank', () => {
  assert.equal(percentile(ramp(20, 1), 95), 19); // ceil(0.95 * 20) = 19th of 1..20
  assert.equal(percentile(ramp(20, 1), 50), 10);
  assert.equal(percentile(ramp(10, 1), 95), 10); // ceil(9.5) = 10th
  assert.equal(percentile([5], 95), 5);
  assert.equal(percentile([], 95), 0);
  assert.equal(percentile([3, Number.NaN, 1, 2], 100), 3);
});

test('a CPU-bound workload: 4.75 vCores at P95 needs 8 vCores of General Purpose; CPU decided it', () => {
  // vCores 0.25, 0.5, ... 5.0 (20 intervals = 10 minutes): P95 = 19 × 0.25 = 4.75 > 4.
  const rec = recommendSku(handSeries({ vCores: ramp(20, 0.25) }));
  const r = rec.instance;
  assert.equal(r.requirements.vCores, 4.75);
  assert.equal(r.requirements.storageGb, 100); // 80 + 20 GB of files, as allocated
  assert.ok(r.fits);
  const best = r.recommended!;
  assert.deepEqual([best.sku.tier, best.sku.hardware, best.sku.vCores], ['general-purpose', 'standard-series', 8]);
  assert.equal(best.sku.memoryGb, 40.8); // 8 × 5.1 GB
  assert.equal(best.sku.storageGb, 128); // 100 GB up to the next 32 GB step
  assert.deepEqual(best.decidedBy, ['vCores']);
  assert.deepEqual(best.nextDown, { vCores: 4, fails: ['vCores'] });
  assert.equal(best.nextUp?.vCores, 16);
  assert.match(best.explanation, /8 vCores, because 4 vCores fall short on CPU \(vCores\) \(4\.75 vCores needed\)/);
  const cpu = best.checks.find((c) => c.dimension === 'vCores')!;
  assert.equal(cpu.headroom, 0.406); // 1 - 4.75 / 8
  // One option per tier and hardware that fits; without prices General Purpose comes first.
  // Without prices: by tier, then vCores (Next-gen on premium-series has a 6-vCore size, where 4.75 fits).
  assert.deepEqual(r.options.map((o) => `${o.sku.tier}/${o.sku.hardware}/${o.sku.vCores}`).slice(0, 5), [
    'general-purpose/standard-series/8', 'general-purpose/premium-series/8', 'general-purpose/memory-optimized-premium-series/8',
    'next-gen-general-purpose/premium-series/6', 'next-gen-general-purpose/memory-optimized-premium-series/6',
  ]);
});

test('the scale factor multiplies every performance dimension: 80% of 4.75 fits the smallest size', () => {
  const r = recommendSku(handSeries({ vCores: ramp(20, 0.25) }), { scaleFactor: 80 }).instance;
  assert.equal(r.requirements.vCores, 3.8);
  assert.equal(r.recommended!.sku.vCores, 4);
  assert.deepEqual(r.recommended!.decidedBy, []);
  assert.match(r.recommended!.explanation, /smallest General Purpose size/);
  assert.equal(r.recommended!.nextDown, undefined);
});

test('memory decides when CPU is idle: 30 GB at P95 needs 8 vCores of Gen5 (5.1 GB each), 6 of Next-gen premium (7 GB each), 4 memory optimized', () => {
  const r = recommendSku(handSeries({ vCores: ramp(20, 0.05), memoryGb: 30 })).instance;
  const gen5 = r.options.find((o) => o.sku.tier === 'general-purpose' && o.sku.hardware === 'standard-series')!;
  assert.deepEqual(gen5.decidedBy, ['memory']); // 4 × 5.1 = 20.4 < 30 <= 40.8
  assert.equal(gen5.sku.vCores, 8);
  // 4 × 13.6 = 54.4 GB: memory optimized hardware fits at the smallest size, and ranks first (fewest vCores).
  assert.deepEqual([r.recommended!.sku.hardware, r.recommended!.sku.vCores], ['memory-optimized-premium-series', 4]);
  const ngpPremium = r.options.find((o) => o.sku.tier === 'next-gen-general-purpose' && o.sku.hardware === 'premium-series')!;
  assert.equal(ngpPremium.sku.vCores, 6); // 4 × 7 = 28 < 30 <= 6 × 7 = 42
});

test('In-Memory OLTP needs Business Critical: the General Purpose tiers fit nothing however large', () => {
  const r = recommendSku(handSeries({
    vCores: ramp(20, 0.1),
    databases: [{ name: 'Trading', memoryOptimized: true, files: [{ name: 'Trading', sizeGb: 50 }, { name: 'Trading_log', type: 'LOG', sizeGb: 10 }] }],
  })).instance;
  assert.equal(r.recommended!.sku.tier, 'business-critical');
  assert.equal(r.recommended!.sku.vCores, 4);
  assert.deepEqual(r.requirements.inMemoryOltp, ['Trading']);
  for (const v of r.verdicts.filter((x) => x.tier !== 'business-critical')) {
    assert.equal(v.fits, false);
    assert.deepEqual(v.beyond.map((c) => c.dimension), ['inMemoryOltp']);
  }
  const mo = r.recommended!.checks.find((c) => c.dimension === 'inMemoryOltp')!;
  assert.ok(mo.ok);
  assert.match(mo.detail!, /3\.14 GB for memory-optimized data/); // Gen5, 4 vCores
});

test('an assessment report\'s In-Memory OLTP finding counts too', () => {
  const r = recommendSku(handSeries({ vCores: ramp(20, 0.1) }), { assessment: { inMemoryOltp: ['Sales'] } }).instance;
  assert.equal(r.recommended!.sku.tier, 'business-critical');
});

test('a file busier than General Purpose gives it (1,000 IOPS on a 100 GB file, 500 allowed) moves to Next-gen, buying IOPS', () => {
  const r = recommendSku(handSeries({
    vCores: ramp(20, 0.1),
    databases: [{ name: 'Orders', files: [{ name: 'Orders', sizeGb: 100, iops: 1000 }, { name: 'Orders_log', type: 'LOG', sizeGb: 20, iops: 100 }] }],
  })).instance;
  const gp = r.verdicts.filter((v) => v.tier === 'general-purpose');
  assert.ok(gp.every((v) => !v.fits && v.beyond.some((c) => c.dimension === 'iops')));
  const best = r.recommended!;
  assert.equal(best.sku.tier, 'next-gen-general-purpose');
  assert.equal(best.sku.vCores, 4);
  // 1,100 IOPS needed; 128 GB reserved includes 3 × 128 = 384; 1,100 - 384 = 716 to buy (cap 6,400 at 4 vCores).
  assert.equal(best.sku.extraIops, 716);
  assert.match(best.checks.find((c) => c.dimension === 'iops')!.detail!, /384 included with 128 GB reserved/);
});

test('a workload that fits nothing says which dimension is beyond each tier\'s largest size', () => {
  // 40 TB of data: General Purpose stops at 16 TB, Next-gen at 32 TB, Business Critical at 16 TB.
  const r = recommendSku(handSeries({
    vCores: ramp(20, 1),
    databases: [{ name: 'Archive', files: [...Array.from({ length: 5 }, (_, i) => ({ name: `Archive_${i}`, sizeGb: 8000 })), { name: 'Archive_log', type: 'LOG' as const, sizeGb: 960 }] }],
  })).instance;
  assert.equal(r.fits, false);
  assert.equal(r.recommended, undefined);
  assert.equal(r.reasons.length, 3);
  for (const reason of r.reasons) assert.match(reason, /storage \(40960 GB needed, at most \d+\)/);
  assert.match(r.reasons[1]!, /Next-gen General Purpose: .*at most 32768/);
});

test('too much CPU fits nothing either: 200 vCores', () => {
  const r = recommendSku(handSeries({ vCores: Array.from({ length: 20 }, () => 200) })).instance;
  assert.equal(r.fits, false);
  assert.ok(r.reasons.every((x) => /CPU \(vCores\) \(200 vCores needed, at most (80|128)\)/.test(x)));
});

test('each database gets its own smallest fit', () => {
  const rec = recommendSku(handSeries({
    vCores: ramp(20, 0.5),
    databases: [
      { name: 'Hot', share: 0.9, files: [{ name: 'Hot', sizeGb: 200 }, { name: 'Hot_log', type: 'LOG', sizeGb: 50 }] },
      { name: 'Cold', share: 0.1, files: [{ name: 'Cold', sizeGb: 10 }, { name: 'Cold_log', type: 'LOG', sizeGb: 2 }] },
    ],
  }));
  const [hot, cold] = rec.databases;
  assert.equal(hot!.requirements.vCores, 8.55); // 0.9 × P95 (9.5)
  assert.equal(hot!.recommended!.sku.vCores, 16);
  assert.equal(cold!.requirements.vCores, 0.95);
  assert.equal(cold!.recommended!.sku.vCores, 4);
  assert.equal(rec.instance.recommended!.sku.vCores, 16); // 9.5 for the instance
});

test('prices: the monthly estimate and the cheapest option first, labelled with region, currency and date', () => {
  const prices = sheet();
  const rec = recommendSku(handSeries({ vCores: ramp(20, 0.25) }), { prices });
  const best = rec.instance.recommended!;
  // GP Gen5 8 vCores: (0.1522 compute + 0.1019 license) × 8 × 730 = 1,483.94; storage (128 - 32) × 0.115 = 11.04.
  const gen5 = rec.instance.options.find((o) => o.sku.tier === 'general-purpose' && o.sku.hardware === 'standard-series')!;
  assert.equal(Math.round(gen5.price!.monthly * 100) / 100, 1494.98);
  // Cheaper: Next-gen on premium-series at 6 vCores, (0.1674 + 0.1019) × 6 × 730 + 11.04 = 1,190.57 (General Purpose meters).
  assert.deepEqual([best.sku.tier, best.sku.hardware, best.sku.vCores], ['next-gen-general-purpose', 'premium-series', 6]);
  assert.equal(Math.round(best.price!.monthly * 100) / 100, 1190.57);
  assert.match(best.price!.notes.join(), /priced with the General Purpose compute/);
  assert.deepEqual(best.price!.missing, []);
  assert.equal(best.price!.currency, 'USD');
  assert.equal(best.price!.region, 'eastus');
  assert.equal(rec.prices?.at, '2025-07-01T00:00:00Z');
  // Azure Hybrid Benefit drops the license: 0.1522 × 8 × 730 + 11.04 = 899.89.
  const ahb = recommendSku(handSeries({ vCores: ramp(20, 0.25) }), { prices, license: 'hybrid-benefit' }).instance.options.find((o) => o.sku.tier === 'general-purpose' && o.sku.hardware === 'standard-series')!;
  assert.equal(Math.round(ahb.price!.monthly * 100) / 100, 899.89);
  const monthly = rec.instance.options.map((o) => o.price!.monthly);
  assert.deepEqual(monthly, [...monthly].sort((a, b) => a - b));
  assert.ok(best.nextUpPrice! > best.price!.monthly && best.nextDownPrice! < best.price!.monthly);
});

test('less than 10 minutes of data is refused, saying how to get more', () => {
  assert.throws(() => recommendSku(handSeries({ vCores: ramp(10, 0.25) })), (e: Error) => e instanceof NotEnoughDataError && /covers 5 min.*at least 10 min.*resumes/.test(e.message));
  assert.ok(recommendSku(handSeries({ vCores: ramp(10, 0.25) }), { minSeconds: 0 }).instance.fits);
});

test('a latency requirement only Business Critical meets', () => {
  const r = recommendSku(handSeries({ vCores: ramp(20, 0.1) }), { maxIoLatencyMs: 2 }).instance;
  assert.equal(r.recommended!.sku.tier, 'business-critical');
  assert.equal(requirementsOf(handSeries({ vCores: ramp(20, 0.1) }), { maxIoLatencyMs: 2 }).maxIoLatencyMs, 2);
});
