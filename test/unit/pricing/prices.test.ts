/**
 * Prices without internet: the recorded answer read as a price sheet (--prices FILE), the cache
 * used while fresh, a clear error when neither is there, and the client's paging against the
 * sandbox's answerer called in-process (no socket).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { answerRetailPrices, RECORDED_PRICES_FILE } from '../../../sandbox/prices';
import {
  estimateMonthly, fetchPriceSheet, loadPriceSheet, parsePriceSheet, PriceError, retailPricesEndpoint, retailPricesUrl, savePriceSheet,
} from '../../../src/core/pricing';

/** fetch() answered by the sandbox's answerer, recording the URLs. */
function sandboxFetch(pageSize = 100, urls: string[] = []): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = new URL(String(input));
    urls.push(url.toString());
    const a = answerRetailPrices(url, undefined, pageSize);
    return new Response(a.body, { status: a.status, headers: a.headers });
  }) as typeof fetch;
}
const offline: typeof fetch = (async () => {
  throw new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND prices.azure.com') });
}) as typeof fetch;

test('the recorded answer as a price sheet: one region and currency, labelled with the date of its prices', async () => {
  await assert.rejects(loadPriceSheet(RECORDED_PRICES_FILE), /several regions \(eastus, westeurope\): choose one with --region/);
  await assert.rejects(loadPriceSheet(RECORDED_PRICES_FILE, { region: 'westeurope' }), /several currencies for westeurope \(USD, EUR\): choose one with --currency/);
  const sheet = await loadPriceSheet(RECORDED_PRICES_FILE, { region: 'westeurope', currency: 'EUR' });
  assert.equal(sheet.region, 'westeurope');
  assert.equal(sheet.currency, 'EUR');
  assert.equal(sheet.fetchedAt, '2025-07-01T00:00:00Z');
  assert.ok(sheet.items.every((i) => i.currencyCode === 'EUR' && i.armRegionName === 'westeurope'));
  const e = estimateMonthly(sheet, { tier: 'business-critical', hardware: 'standard-series', vCores: 8, storageGb: 256 });
  // (0.4093 + 0.38) × 1.08 × 0.92 = 0.4067 + 0.3776 per vCore-hour; × 8 × 730; storage (256 - 32) × 0.2484.
  assert.deepEqual(e.lines.map((l) => [l.what, l.unitPrice]), [['compute, 8 vCores', 0.4067], ['SQL Server license, 8 vCores', 0.3776], ['storage, 256 GB reserved (32 GB included)', 0.2484]]);
  assert.equal(Math.round(e.monthly * 100) / 100, Math.round(((0.4067 + 0.3776) * 8 * 730 + 224 * 0.2484) * 100) / 100);
  assert.deepEqual(e.missing, []);
  // The reservation, zone-redundancy and backup meters in the recording are never picked.
  assert.ok(e.lines.every((l) => !/Zone|Backup/.test(l.meter)));
});

test('a sheet saved by the client reads back as it was', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sqlmig-prices-'));
  const sheet = await fetchPriceSheet({ region: 'eastus', endpoint: 'http://127.0.0.1:9/api/retail/prices', fetch: sandboxFetch(), cacheDir: false });
  await savePriceSheet(join(dir, 'sheet.json'), sheet);
  const back = await loadPriceSheet(join(dir, 'sheet.json'));
  assert.deepEqual({ ...back }, { ...sheet, fromCache: false });
});

test('the client follows NextPageLink, filters by service, region and consumption, and caches', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sqlmig-prices-'));
  const urls: string[] = [];
  const endpoint = 'http://127.0.0.1:9/api/retail/prices';
  const first = await fetchPriceSheet({ region: 'eastus', endpoint, fetch: sandboxFetch(4, urls), cacheDir: dir, now: () => new Date('2026-11-01T00:00:00Z') });
  assert.equal(first.fromCache, false);
  assert.equal(first.items.length, 12); // 13 eastus USD meters, one of them a reservation
  assert.equal(urls.length, 3); // pages of 4
  assert.equal(urls[0], retailPricesUrl(endpoint, 'eastus', 'USD'));
  assert.match(decodeURIComponent(urls[0]!), /\$filter=serviceName eq 'SQL Managed Instance' and armRegionName eq 'eastus' and priceType eq 'Consumption'/);
  // A day later, offline: the cache answers.
  const cached = await fetchPriceSheet({ region: 'eastus', endpoint, fetch: offline, cacheDir: dir, now: () => new Date('2026-11-02T00:00:00Z') });
  assert.equal(cached.fromCache, true);
  assert.equal(cached.fetchedAt, '2026-11-01T00:00:00.000Z');
  // Eight days later the cache is stale, and offline that is an error saying what to do.
  await assert.rejects(fetchPriceSheet({ region: 'eastus', endpoint, fetch: offline, cacheDir: dir, now: () => new Date('2026-11-09T00:00:00Z') }),
    (e: Error) => e instanceof PriceError && /cannot reach the Azure Retail Prices API.*ENOTFOUND.*--prices FILE/.test(e.message));
});

test('a region the API does not know is an error naming it', async () => {
  await assert.rejects(fetchPriceSheet({ region: 'atlantis', endpoint: 'http://127.0.0.1:9/api/retail/prices', fetch: sandboxFetch(), cacheDir: false }), /no SQL Managed Instance prices for region "atlantis"/);
});

test('the endpoint comes from the cloud: its own, the public one, none for Azure China', () => {
  assert.equal(retailPricesEndpoint(), 'https://prices.azure.com/api/retail/prices');
  assert.equal(retailPricesEndpoint({ name: 'sandbox', retailPricesEndpoint: 'http://127.0.0.1:5/api/retail/prices/' }), 'http://127.0.0.1:5/api/retail/prices');
  assert.throws(() => retailPricesEndpoint({ name: 'AzureChinaCloud' }), /no Azure China prices/);
});

test('the API\'s own JSON answer, saved by a user, is a price sheet too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sqlmig-prices-'));
  const a = answerRetailPrices(new URL(retailPricesUrl('http://x/api/retail/prices', 'westeurope', 'EUR')));
  writeFileSync(join(dir, 'answer.json'), a.body);
  const sheet = parsePriceSheet(a.body, 'answer.json');
  assert.equal(sheet.region, 'westeurope');
  assert.equal(sheet.currency, 'EUR');
});
