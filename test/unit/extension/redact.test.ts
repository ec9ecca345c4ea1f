import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redactor } from '../../../src/extension/redact';
import { describeError, NotSignedInError, ActionableError, UserCancelledError, isCancellation } from '../../../src/extension/errors';

test('known secret values are masked wherever they appear, longest first', () => {
  const r = new Redactor();
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  r.add(password);
  r.add(`${password}-extended`);
  r.add('abc'); // too short to mask safely
  const out = r.redact(`login failed for sa with ${password} (and ${password}-extended) abc`);
  assert.ok(!out.includes(password));
  assert.match(out, /with \*\*\* \(and \*\*\*\) abc/);
});

test('secret-shaped text is masked without being registered', () => {
  const r = new Redactor();
  const key = Buffer.from(Array.from({ length: 64 }, (_, i) => i)).toString('base64');
  const cases = [
    `DefaultEndpointsProtocol=http;AccountName=sales;AccountKey=${key};BlobEndpoint=http://127.0.0.1:1/sales;`,
    'https://sales.blob.core.windows.net/c?sv=2022-11-02&sig=AbCdEf%2B123&se=2030',
    'Server=tcp:x;User ID=sa;Password=Hunter2!;Encrypt=true',
    '{"password":"s3cr3t-value","userName":"sa"}',
    'authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
    'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl in text',
    'key IR@0b5d0ac2-1c3f-4c2c-9c8e-6b7d1c1c0e01@dms1@weu@AbCdEfGhIjKl== registered',
    '{"authKey1":"IR@something","authKey2":"another-secret"}',
  ];
  for (const c of cases) {
    const out = r.redact(c);
    for (const secret of [key, 'AbCdEf%2B123', 'Hunter2!', 's3cr3t-value', 'c2lnbmF0dXJl', 'AbCdEfGhIjKl==', 'another-secret']) {
      assert.ok(!out.includes(secret), `${secret} leaked in ${out}`);
    }
  }
  // Ordinary text is left alone.
  assert.equal(r.redact('Restored 3 of 4 log backups (LSN 41000000012800001)'), 'Restored 3 of 4 log backups (LSN 41000000012800001)');
});

test('errors say what to do next from the service code or HTTP status', () => {
  const throttled = Object.assign(new Error('Too many requests'), { statusCode: 429, code: 'TooManyRequests' });
  const r = describeError(throttled, 'Listing migrations');
  assert.equal(r.message, 'Listing migrations failed: Too many requests (TooManyRequests)');
  assert.match(r.next, /wait a minute/);
  assert.match(r.detail, /HTTP 429/);
  assert.match(describeError(Object.assign(new Error('x'), { statusCode: 401 }), 'X').next, /Sign in/);
  assert.match(describeError(Object.assign(new Error('x'), { statusCode: 403 }), 'X').next, /access/);
  assert.match(describeError(new Error('boom'), 'X').next, /log/);
  const actionable = describeError(new ActionableError('The folder is empty.', 'Choose another folder.'), 'X');
  assert.deepEqual([actionable.message, actionable.next], ['The folder is empty.', 'Choose another folder.']);
  assert.match(describeError(new NotSignedInError(), 'X').next, /Sign in to Azure/);
});

test('cancellations are recognised and stay silent', () => {
  assert.ok(isCancellation(new UserCancelledError()));
  assert.ok(isCancellation(new DOMException('aborted', 'AbortError')));
  assert.ok(!isCancellation(new Error('AbortError')));
});
