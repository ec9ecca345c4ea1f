import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redactor } from '../../../src/extension/redact';
import { describeError, NotSignedInError, ActionableError, UserCancelledError, isCancellation } from '../../../src/extension/errors';

test('known secret values are masked wherever they appear, longest first', () => {
  const r = new Redactor();
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  r.add(password);
  r.add(`${password}-extended`);
  r.add('abc'); // short: masked only where it stands as a value (below), not loose in prose
  const out = r.redact(`login failed for sa with ${password} (and ${password}-extended) abc`);
  assert.ok(!out.includes(password));
  assert.match(out, /with \*\*\* \(and \*\*\*\) abc/);
});

test('short secrets (1 to 3 characters) are masked where they stand as a value, never out of words or prose', () => {
  const r = new Redactor();
  r.add('a');
  r.add('7x');
  const cases: [string, string][] = [
    ['Password=a;Encrypt=true', 'Password=***;Encrypt=true'],
    ['pin:7x, next', 'pin:***, next'],
    ['{"password":"a","user":"sa"}', '{"password":"***","user":"sa"}'],
    ['{"pin": "7x"}', '{"pin": "***"}'],
    ["share password 'a' refused", "share password '***' refused"],
    ['{"body":"{\\"password\\":\\"a\\"}"}', '{"body":"{\\"password\\":\\"***\\"}"}'],
    ['{"outer":"{\\"inner\\":\\"{\\\\\\"pin\\\\\\":\\\\\\"7x\\\\\\"}\\"}"}', '{"outer":"{\\"inner\\":\\"{\\\\\\"pin\\\\\\":\\\\\\"***\\\\\\"}\\"}"}'],
    ['x=7x&y=1', 'x=***&y=1'],
  ];
  for (const [input, want] of cases) assert.equal(r.redact(input), want, input);
  // Prose and words keep every "a" and "7x".
  const prose = 'Restored a backup at 07:00 as planned: a data file, 7x faster (a b c); sa has access';
  assert.equal(r.redact(prose), prose);
});

test('secrets with quotes or backslashes are masked in their JSON-escaped forms too, once or nested', () => {
  const r = new Redactor();
  const secret = 'Pa"ss\\w0rd';
  r.add(secret);
  const once = JSON.stringify(secret).slice(1, -1);
  const twice = JSON.stringify(once).slice(1, -1);
  assert.notEqual(once, secret);
  const text = `raw ${secret} | json ${JSON.stringify({ password: secret })} | nested ${JSON.stringify({ body: JSON.stringify({ password: secret }) })}`;
  const out = r.redact(text);
  for (const form of [secret, once, twice]) assert.ok(!out.includes(form), `${form} leaked in ${out}`);
  assert.ok(!out.includes('ss\\'), out);
  assert.equal(out, 'raw *** | json {"password":"***"} | nested {"body":"{\\"password\\":\\"***\\"}"}');
  // A short secret with a quote in it, escaped.
  const q = new Redactor();
  q.add('a"');
  assert.equal(q.redact('{"password":"a\\""}'), '{"password":"***"}');
});

test('secret-shaped values inside escaped JSON (JSON in JSON) are masked without being registered', () => {
  const r = new Redactor();
  const out = r.redact('{"request":"{\\"password\\":\\"s3cr3t-value\\",\\"authKey1\\":\\"IR@0b5d0ac2-1c3f-4c2c-9c8e-6b7d1c1c0e01@dms@weu@QmFzZTY0\\"}"}');
  assert.ok(!out.includes('s3cr3t-value'), out);
  assert.ok(!out.includes('QmFzZTY0'), out);
  assert.match(out, /\\"password\\":\\"\*\*\*\\"/);
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
