import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as v from 'valibot';
import { initialState } from '../../../src/extension/wizard/reducer';
import { DiscoveredServerSchema, parseHostMessage, parseWebviewMessage, parseWizardState } from '../../../src/protocol/wizard';

test('intents are accepted only in their exact shape', () => {
  assert.deepEqual(parseWebviewMessage({ type: 'next' }), { ok: true, value: { type: 'next' } });
  assert.equal(parseWebviewMessage({ type: 'source.update', patch: { server: 'sql01', encrypt: 'strict' } }).ok, true);
  assert.equal(parseWebviewMessage({ type: 'source.saveReport', format: 'html' }).ok, true);
  const refused: unknown[] = [
    undefined,
    'next',
    { type: 'nope' },
    { type: 'next', extra: 1 },
    { type: 'goto', step: 'elsewhere' },
    { type: 'source.update', patch: { server: 'x', password: 'y' } },
    { type: 'source.password', value: 1 },
    { type: 'source.update', patch: { encrypt: false } },
    { type: 'source.saveReport', format: 'pdf' },
    { type: 'source.password', value: 'x'.repeat(1025) },
    { type: 'service.copyKey', key: 'authKey3' },
    { type: 'source.select', names: Array.from({ length: 20_001 }, (_, i) => `db${i}`) },
  ];
  for (const m of refused) assert.equal(parseWebviewMessage(m).ok, false, JSON.stringify(m)?.slice(0, 80));
  const r = parseWebviewMessage({ type: 'goto', step: 'elsewhere' });
  assert.ok(!r.ok && /step/.test(r.error));
});

test('the host state round-trips through the webview validation, and a broken one is refused', () => {
  const state = initialState([{ name: 'AzureCloud', displayName: 'Azure' }], 'AzureCloud');
  const msg = { type: 'state', state, l10n: { Next: 'Weiter' } };
  const parsed = parseHostMessage(JSON.parse(JSON.stringify(msg)));
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, JSON.parse(JSON.stringify(msg)));
  assert.equal(parseHostMessage({ type: 'state', state: { ...state, step: 'nowhere' } }).ok, false);
  assert.equal(parseWizardState({ ...state, version: 1 }).ok, false);
  assert.equal(parseHostMessage({ type: 'state', state: { ...state, source: { ...state.source, selected: 'all' } } }).ok, false);
});

test('the state has no field that could hold a password, key or token', () => {
  const keys = JSON.stringify(initialState([], 'AzureCloud')).match(/"[A-Za-z0-9]+":/g)!.map((k) => k.slice(1, -2));
  for (const k of keys) assert.doesNotMatch(k, /^(password|secret|token|accessToken|accountKey|authKey\d?|sas.*|key)$/i, k);
});

test('the longest address a SQL Server can have (a 253-character DNS name and an instance) can be offered by discovery and used', () => {
  const label = 'a'.repeat(63);
  const host = [label, label, label, 'b'.repeat(61)].join('.');
  assert.equal(host.length, 253);
  const address = `${host}\\${'I'.repeat(16)}`;
  assert.ok(v.safeParse(DiscoveredServerSchema, { address, host, tds: true }).success, 'discovery can offer it');
  assert.ok(parseWebviewMessage({ type: 'source.update', patch: { server: address } }).ok, 'and the server field takes it');
  assert.ok(!parseWebviewMessage({ type: 'source.update', patch: { server: `${address}X` } }).ok, 'one character more is not an address');
});
