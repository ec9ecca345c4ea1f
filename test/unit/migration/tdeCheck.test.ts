/** The TDE check before a start: what refuses, what a reason may accept, what only warns. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tdeVerdict, type TdeEvidence } from '../../../src/core/migration/tdeCheck';
import type { TdeDatabase } from '../../../src/core/tde';

const T = '0xFD1FBA5669CA279FE0BD19F7DF60772FCCFFA201';
const payroll: TdeDatabase = { database: 'Payroll', encryptionState: 3, encryptorType: 'CERTIFICATE', thumbprint: T, certificateId: 256, certificateName: 'TDECert_Payroll', privateKeyEncryption: 'MK', expiry: null };
const vault: TdeDatabase = { ...payroll, database: 'Vault', encryptorType: 'ASYMMETRIC KEY', thumbprint: '0x01', certificateId: null, certificateName: null };
const decrypted: TdeDatabase = { ...payroll, database: 'Old', encryptionState: 1, thumbprint: '0x02' };
const read = (target: { thumbprints: ReadonlySet<string> } | { unreachable: string }): TdeEvidence => ({ source: 'read', databases: [payroll, vault, decrypted], target });

test('a certificate seen missing refuses, and no reason accepts it; one on the instance passes', () => {
  const missing = tdeVerdict(['payroll', 'Sales'], read({ thumbprints: new Set() }), ['tde-unverified', 'tde-not-certificate']);
  assert.equal(missing.refused.length, 1);
  assert.match(missing.refused[0]!, new RegExp(`^Payroll is encrypted with TDE certificate TDECert_Payroll \\(thumbprint ${T}\\).*sqlmig tde apply --database Payroll`));
  assert.doesNotMatch(missing.refused[0]!, /can be accepted/);
  assert.deepEqual(tdeVerdict(['Payroll', 'Old'], read({ thumbprints: new Set([T]) })), { refused: [], warnings: [] });
});

test('an instance that could not be asked refuses each TDE database until accepted with a reason', () => {
  const unverified = tdeVerdict(['Payroll', 'Old', 'Sales'], read({ unreachable: 'no login for the instance was given' }));
  assert.deepEqual(unverified.refused.map((r) => /^(\w+) .*\[(tde-unverified): can be accepted with a reason\]$/.exec(r)?.slice(1)), [['Payroll', 'tde-unverified']]);
  const accepted = tdeVerdict(['Payroll'], read({ unreachable: 'timeout' }), ['tde-unverified']);
  assert.deepEqual(accepted.refused, []);
  assert.match(accepted.warnings[0]!, /Payroll .*could not be checked: timeout \[tde-unverified: accepted\]/);
});

test('an EKM-protected key cannot be checked from master: refused, acceptable', () => {
  const v = tdeVerdict(['Vault'], read({ thumbprints: new Set() }));
  assert.match(v.refused[0]!, /Vault is encrypted with TDE by an asymmetric key \(EKM\).*\[tde-not-certificate: can be accepted with a reason\]/);
  assert.deepEqual(tdeVerdict(['Vault'], read({ thumbprints: new Set() }), ['tde-not-certificate']).refused, []);
});

test('a source that could not be read is a warning, not a refusal', () => {
  const v = tdeVerdict(['Payroll'], { source: 'unreadable', reason: 'the source could not be read (login failed)' });
  assert.deepEqual(v.refused, []);
  assert.match(v.warnings[0]!, /^TDE was not checked: the source could not be read \(login failed\)\. .*sqlmig tde plan/);
});
