import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import { RestError } from '@azure/core-rest-pipeline';
import { AzureError, armRetryStrategy, isAmbiguousFailure, isIdempotentRequest, isRetriableStatus, redactSecrets, retryAfterMs, toAzureError } from '../../../src/core/azure';
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

test('reads are told from changes: GET and POST list* actions are reads; PUT, PATCH, DELETE and other POSTs change things', () => {
  const base = 'https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.DataMigration/sqlMigrationServices/dms';
  for (const [method, url] of [['GET', base], ['HEAD', base], ['POST', `${base}/listAuthKeys?api-version=x`], ['POST', `${base}/listMonitoringData`],
    ['post', 'https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a/listKeys']]) {
    assert.ok(isIdempotentRequest(method!, url!), `${method} ${url}`);
  }
  for (const [method, url] of [['PUT', base], ['PATCH', base], ['DELETE', base], ['POST', `${base}/regenerateAuthKeys`], ['POST', `${base}/deleteNode`],
    ['POST', `${base}/databaseMigrations/Sales/cutover`], ['POST', `${base}/databaseMigrations/Sales/cancel`], ['POST', 'not a url']]) {
    assert.ok(!isIdempotentRequest(method!, url!), `${method} ${url}`);
  }
});

test('a change is retried only when it certainly was not acted on: 429, or a connection that never opened', () => {
  const change = armRetryStrategy({ baseDelayMs: 1, maxDelayMs: 1 }, false);
  const read = armRetryStrategy({ baseDelayMs: 1, maxDelayMs: 1 }, true);
  const response = (status: number, headers: Record<string, string> = {}) => ({ status, headers: createHttpHeaders(headers), request: {} }) as never;
  const net = (code: string) => new RestError(code, { code });
  assert.equal(change.retry({ retryCount: 0, response: response(429, { 'retry-after': '2' }) }).retryAfterInMs, 2000);
  assert.ok(change.retry({ retryCount: 0, response: response(429) }).retryAfterInMs !== undefined, '429 without Retry-After');
  for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']) {
    assert.ok(change.retry({ retryCount: 0, responseError: net(code) }).retryAfterInMs !== undefined, code);
  }
  for (const status of [500, 502, 503, 504, 408]) {
    assert.equal(change.retry({ retryCount: 0, response: response(status) }).skipStrategy, true, String(status));
    assert.ok(read.retry({ retryCount: 0, response: response(status) }).retryAfterInMs !== undefined, `a read is retried on ${status}`);
  }
  for (const code of ['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'REQUEST_SEND_ERROR']) {
    assert.equal(change.retry({ retryCount: 0, responseError: net(code) }).skipStrategy, true, code);
    assert.ok(read.retry({ retryCount: 0, responseError: net(code) }).retryAfterInMs !== undefined, `a read is retried on ${code}`);
  }
});

test('ambiguous failures: 5xx (not 501/505), 408, timeouts and connections dropped after sending; not 4xx, not a refused connection, not an abort', () => {
  for (const e of [{ statusCode: 500 }, { statusCode: 503 }, { statusCode: 408 }, { response: { status: 502 } }, new RestError('x', { code: 'ECONNRESET' }), new RestError('x', { code: 'ETIMEDOUT' }), new RestError('x', { code: 'REQUEST_SEND_ERROR' })]) {
    assert.ok(isAmbiguousFailure(e), JSON.stringify(e));
  }
  for (const e of [{ statusCode: 429 }, { statusCode: 409 }, { statusCode: 400 }, { statusCode: 501 }, new RestError('x', { code: 'ECONNREFUSED' }), new RestError('x', { code: 'ENOTFOUND' }),
    Object.assign(new Error('aborted'), { name: 'AbortError', code: 'ECONNRESET' }), new Error('plain'), undefined]) {
    assert.ok(!isAmbiguousFailure(e), JSON.stringify(e));
  }
});

test('secrets: every JSON-escaped form, short ones only as whole values, longest first', () => {
  const secret = 'p"w\\1';
  const once = JSON.stringify(secret).slice(1, -1);
  const twice = JSON.stringify(once).slice(1, -1);
  assert.equal(redactSecrets(`raw ${secret} json "${once}" nested "${twice}"`, [secret]), 'raw *** json "***" nested "***"');
  assert.equal(redactSecrets('pwd=ab;x=ab&y="ab" \\"ab\\" ab about cab:abc', ['ab']), 'pwd=***;x=***&y="***" \\"***\\" ab about cab:abc');
  assert.equal(redactSecrets('key abcd1234-long and abcd1234', ['abcd1234', 'abcd1234-long']), 'key *** and ***');
});

test('an AzureError raised inside a call has the call\'s secrets cut out too', () => {
  const inner = new AzureError({ action: 'start the migration of Sales', code: 'Failed', serviceMessage: 'share password Hunter2!! refused' });
  const out = toAzureError(inner, 'start the migration of Sales', ['Hunter2!!']) as AzureError;
  assert.equal(out.serviceMessage, 'share password *** refused');
  assert.equal(out.action, 'start the migration of Sales');
  assert.equal(toAzureError(inner, 'x', ['not-in-it']), inner, 'nothing to cut: the same error');
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
