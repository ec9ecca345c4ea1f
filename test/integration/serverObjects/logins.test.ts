/** Logins of every kind from the sandbox's source to its managed instance, over TDS, then the users of a restored database mapped to them. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  addMapping, applyLoginPlan, emptyMapping, planLogins, readSourceLogins, readTargetPrincipals, remapDatabaseUsers,
} from '../../../src/core/serverObjects';
import { restoredCopy, startPair, type Pair } from './support';

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(() => pair?.stop());

const mapping = addMapping(emptyMapping(), 'CONTOSO=contoso.com');

describe('logins to the managed instance', () => {
  test('every kind: created, skipped with the reason, excluded with the reason; the server holds what was sent', async () => {
    const s = await pair.connectSource();
    const t = await pair.connectTarget();
    try {
      assert.equal(t.properties.engineEdition, 8);
      const source = await readSourceLogins(s, 15);
      // One login is on the instance already, created by someone else.
      await t.query({ id: 'ddl', text: `CREATE LOGIN [report_svc] WITH PASSWORD = 0x0200${'00'.repeat(68)} HASHED, SID = 0x0A0B;` });
      const plan = planLogins(source, await readTargetPrincipals(t), { mapping, sourceServerName: 'SQLSRC01' });
      const result = await applyLoginPlan(t, plan);
      const status = Object.fromEntries(result.logins.map((l) => [l.source, l.status]));
      assert.deepEqual(
        Object.fromEntries(Object.entries(status).filter(([, v]) => v !== 'excluded')),
        {
          app_reader: 'created', 'CONTOSO\\ann.lee': 'created', 'CONTOSO\\Report Readers': 'created', 'CONTOSO\\SQL Admins': 'created', 'CONTOSO\\svc_payroll': 'created',
          'CONTOSO\\WEB01$': 'skipped', 'FABRIKAM\\ext_auditor': 'skipped', legacy_app: 'created', report_svc: 'skipped',
        },
      );
      const why = (n: string) => result.logins.find((l) => l.source === n)!.reason ?? '';
      assert.match(why('CONTOSO\\WEB01$'), /not valid as a Microsoft Entra login/);
      assert.match(why('FABRIKAM\\ext_auditor'), /no mapping for domain FABRIKAM/);
      assert.match(why('report_svc'), /already exists on the target/);
      for (const n of ['sa', 'CodeSigningLogin', 'NT AUTHORITY\\SYSTEM', 'SQLSRC01\\localadmin', '##MS_PolicyEventProcessingLogin##']) assert.equal(status[n], 'excluded', n);

      const state = pair.mi.state;
      const app = state.logins.get('app_reader')!;
      const src = source.logins.find((l) => l.name === 'app_reader')!;
      assert.equal(app.sid, src.sid, 'the SID is the source\'s, so database users stay mapped');
      assert.equal(`0x${app.passwordHash}`, src.passwordHash, 'the password hash is the source\'s');
      assert.equal(state.logins.get('legacy_app')!.disabled, true);
      assert.equal(state.logins.get('legacy_app')!.defaultLanguage, 'British');
      assert.equal(state.logins.get('ann.lee@contoso.com')!.type, 'E');
      assert.equal(state.logins.get('sql admins')!.type, 'X');
      assert.ok(state.roles.get('sysadmin')!.members.has('sql admins'));
      assert.ok(state.roles.get('reportingops')!.members.has('report readers'));
      assert.ok(state.permissions.some((p) => p.grantee === 'ReportingOps' && p.permission === 'VIEW ANY DEFINITION'));
      assert.ok(!state.permissions.some((p) => p.grantee === 'report_svc'), 'nothing is added to a login that existed');
      assert.ok(state.permissions.some((p) => p.grantee === 'legacy_app' && p.state === 'DENY'));
      assert.ok(!pair.mi.batches.some((b) => /\bDROP\b/i.test(b)), 'nothing is ever dropped');

      // Run again: everything that was created is now skipped, nothing fails.
      const again = await applyLoginPlan(t, planLogins(source, await readTargetPrincipals(t), { mapping, sourceServerName: 'SQLSRC01' }));
      assert.ok(again.logins.every((l) => l.status === 'skipped' || l.status === 'excluded'));
    } finally {
      await Promise.all([s.close(), t.close()]);
    }
  });

  test('a login the instance refuses is reported with its message (an Entra principal the tenant lacks)', async () => {
    const s = await pair.connectSource();
    const t = await pair.connectTarget();
    try {
      const source = await readSourceLogins(s, 15);
      source.logins.push({ ...source.logins.find((l) => l.name === 'CONTOSO\\ann.lee')!, name: 'CONTOSO\\ghost', sid: '0x0109' });
      const result = await applyLoginPlan(t, planLogins(source, await readTargetPrincipals(t), { mapping, selection: { names: ['CONTOSO\\ghost'] } }));
      assert.equal(result.logins[0]!.status, 'failed');
      assert.match(result.logins[0]!.message!, /Principal 'ghost@contoso\.com' could not be found/);
    } finally {
      await Promise.all([s.close(), t.close()]);
    }
  });

  test('the users of a restored database, mapped afterwards: Windows ones to their Entra logins, SQL ones by SID', async () => {
    pair.restored.push(restoredCopy(pair.profile, 'Reporting'), restoredCopy(pair.profile, 'Payroll'));
    const s = await pair.connectSource();
    const t = await pair.connectTarget();
    try {
      const source = await readSourceLogins(s, 15);
      const users = await remapDatabaseUsers(t, ['Reporting', 'Payroll'], source.logins, mapping);
      const by = Object.fromEntries(users.map((u) => [`${u.database}/${u.user}`, [u.status, u.login ?? u.message]]));
      assert.deepEqual(by, {
        'Reporting/CONTOSO\\Report Readers': ['mapped', 'Report Readers'],
        'Reporting/ann': ['mapped', 'ann.lee@contoso.com'],
        'Reporting/report_svc': ['orphaned', undefined],
        'Reporting/old_etl': ['orphaned', undefined],
        'Payroll/CONTOSO\\svc_payroll': ['mapped', 'svc_payroll@contoso.com'],
        'Payroll/app_reader': ['sql', 'app_reader'],
      });
      assert.ok(pair.mi.batches.includes('ALTER USER [ann] WITH LOGIN = [ann.lee@contoso.com];'));
      const again = await remapDatabaseUsers(t, ['Reporting'], source.logins, mapping);
      assert.ok(again.filter((u) => u.user === 'ann').every((u) => u.status === 'already'));
    } finally {
      await Promise.all([s.close(), t.close()]);
    }
  });
});
