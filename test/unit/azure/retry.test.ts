import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import { AzureError, armRetryStrategy, isRetriableStatus, redactSecrets, retryAfterMs, toAzureError } from '../../../src/core/azure';
import { resolveCloud } from '../../../src/core/azure/credentials';

test('Retry-After in seconds, as a date, or in milliseconds', () => {
  const now = Date.UTC(2026, 10, 1, 9, 0, 0);
  assert.equal(retryAfterMs(createHttpHeaders({ 'retry-after': '7' }), now), 7000);
  assert.equal(retryAfterMs(createHttpHeaders({ 'retry-after': new Date(now + 30_000).toUTCString() }), now), 30_000);
  assert.equal(retryAfterMs(createHttpHeaders({ 'retry-after-ms': '250' }), now), 250);
  assert.equal(retryAfterMs(createHttpHeaders({ 'retry-after': 'soon' }), now), undefined);
  assert.equal(retryAfterMs(createHttpHeaders({}), now), undefined);
});

test('what is retried: 408, 429, 5xx but not 501/505, not other 4xx', () => {
  for (const s of [408, 429, 500, 502, 503, 504]) assert.ok(isRetriableStatus(s), String(s));
  for (const s of [400, 401, 403, 404, 409, 501, 505]) assert.ok(!isRetriableStatus(s), String(s));
});

test('the strategy caps a long Retry-After and backs off exponentially without one', () => {
  const strategy = armRetryStrategy({ baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 });
  const response = (status: number, headers: Record<string, string> = {}) =>
    ({ status, headers: createHttpHeaders(headers), request: {} }) as never;
  assert.equal(strategy.retry({ retryCount: 0, response: response(429, { 'retry-after': '3600' }) }).retryAfterInMs, 5000);
  const d0 = strategy.retry({ retryCount: 0, response: response(500) }).retryAfterInMs!;
  const d5 = strategy.retry({ retryCount: 5, response: response(500) }).retryAfterInMs!;
  assert.ok(d0 >= 50 && d0 <= 100, String(d0));
  assert.ok(d5 >= 500 && d5 <= 1000, String(d5));
  assert.equal(strategy.retry({ retryCount: 0, response: response(404) }).skipStrategy, true);
});

test('errors: network failures say the service could not be reached; secrets are cut out', () => {
  const net = toAzureError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }), 'list the migrations');
  assert.ok(net instanceof AzureError);
  assert.match(net.message, /^Could not list the migrations: ECONNREFUSED: .*\nThe service could not be reached/);
  assert.equal(redactSecrets('key=abcd1234 and abcd1234', ['abcd1234']), 'key=*** and ***');
  const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
  assert.equal(toAzureError(abort), abort);
});

test('clouds by name, by file, or neither (Azure public)', async () => {
  assert.equal((await resolveCloud({})).name, 'AzureCloud');
  assert.equal((await resolveCloud({ cloud: 'china' })).name, 'AzureChinaCloud');
  await assert.rejects(resolveCloud({ cloud: 'mars' }), /unknown cloud "mars"/);
  await assert.rejects(resolveCloud({ cloud: 'public', cloudFile: 'x.json' }), /either --cloud or --cloud-file/);
});
