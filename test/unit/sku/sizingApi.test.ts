/** The faces' entry point for sizing: a folder in, a recommendation and its HTML out, prices from a file or the API. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { RECORDED_PRICES_FILE } from '../../../sandbox/prices';
import { sizeFromFolder } from '../../../src/core/sizingApi';

const data = join(__dirname, '..', 'perf', 'fixtures', 'microsoft-long');

test('sizeFromFolder: Microsoft collector files and a price file give a priced recommendation and a page', async () => {
  const r = await sizeFromFolder({ data, prices: { file: RECORDED_PRICES_FILE, region: 'eastus', currency: 'USD' } });
  const best = r.recommendation.instance.recommended!;
  assert.equal(best.sku.vCores, 6); // 4.8 vCores at P95: Next-gen premium-series has a 6-vCore size, the cheapest
  assert.ok(best.price && best.price.currency === 'USD');
  assert.match(r.html, /<h1>Azure SQL Managed Instance sizing: SQLPROD01<\/h1>/);
  assert.ok(!/<script/i.test(r.html));
  assert.ok(r.notes.some((n) => /Counters not understood, left out: XYZ/.test(n)));
});

test('sizeFromFolder: prices that cannot be read leave a recommendation without prices, and say why', async () => {
  const r = await sizeFromFolder({ data, prices: { file: RECORDED_PRICES_FILE, region: 'atlantis' } });
  assert.match(r.priceError!, /no prices for atlantis/);
  assert.equal(r.recommendation.prices, undefined);
  assert.ok(r.recommendation.instance.fits);
});
