import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  addMapping, emptyMapping, entraNameFor, exclusionReason, parseScript, planLogins, scriptServerObjects, scriptText, splitBatches, stepSupport, validUserPrincipalName,
  type ServerObjects, type SourceLogin, type SourceLogins, type TargetPrincipals,
} from '../../../src/core/serverObjects';
import { quoteName, nString, binaryLiteral } from '../../../src/core/serverObjects/tsql';

const mapping = addMapping(addMapping(emptyMapping(), 'CONTOSO=contoso.com'), 'CONTOSO\\svc_old=legacy-app@contoso.com');
const login = (name: string, kind: SourceLogin['kind'], extra: Partial<SourceLogin> = {}): SourceLogin => ({
  principalId: 300, name, kind, sid: '0x0102030405060708090A0B0C0D0E0F10', disabled: false, defaultDatabase: 'master', defaultLanguage: 'us_english', ...extra,
});
const emptyTarget = (): TargetPrincipals => ({ databases: ['Sales'], logins: new Map(), bySid: new Map(), roles: new Map([['sysadmin', { name: 'sysadmin', fixed: true, members: new Set() }]]) });

describe('Windows names as Microsoft Entra names', () => {
  test('users by the domain mapping, groups by name, explicit mappings first', () => {
    assert.deepEqual(entraNameFor('CONTOSO\\ann.lee', 'windows-user', mapping), { ok: true, name: 'ann.lee@contoso.com', kind: 'user' });
    assert.deepEqual(entraNameFor('contoso\\SQL Admins', 'windows-group', mapping), { ok: true, name: 'SQL Admins', kind: 'group' });
    assert.deepEqual(entraNameFor('CONTOSO\\svc_old', 'windows-user', mapping), { ok: true, name: 'legacy-app@contoso.com', kind: 'user' });
  });
  test('names that cannot be an Entra user, and domains without a mapping, are refused with the reason', () => {
    assert.match((entraNameFor('CONTOSO\\WEB01$', 'windows-user', mapping) as { reason: string }).reason, /computer or managed service account/);
    assert.match((entraNameFor('CONTOSO\\Ann Lee', 'windows-user', mapping) as { reason: string }).reason, /characters Microsoft Entra does not allow/);
    assert.match((entraNameFor('FABRIKAM\\bob', 'windows-user', mapping) as { reason: string }).reason, /no mapping for domain FABRIKAM/);
    assert.equal(validUserPrincipalName('a..b@contoso.com') !== undefined, true);
    assert.throws(() => addMapping(emptyMapping(), 'CONTOSO'), /DOMAIN=dns.domain/);
  });
});

describe('the login plan', () => {
  const source: SourceLogins = {
    logins: [
      login('sa', 'sql', { principalId: 1, passwordHash: '0x0200AA' }),
      login('##MS_PolicyTsqlExecutionLogin##', 'sql', { passwordHash: '0x0200AA' }),
      login('NT SERVICE\\MSSQLSERVER', 'windows-user'),
      login('SQLSRC01\\localadmin', 'windows-user'),
      login('Signer', 'certificate'),
      login('app', 'sql', { passwordHash: `0x0200${'AB'.repeat(68)}`, checkPolicy: true, checkExpiration: true, defaultDatabase: 'Payroll', disabled: true }),
      login('exists', 'sql', { passwordHash: '0x0200AA', sid: '0x99' }),
      login('CONTOSO\\ann.lee', 'windows-user', { sid: '0x0105', defaultDatabase: 'Sales' }),
      login('CONTOSO\\DBAs', 'windows-group', { sid: '0x0106' }),
    ],
    roleMemberships: [{ role: 'sysadmin', fixedRole: true, member: 'CONTOSO\\DBAs' }, { role: 'Ops', fixedRole: false, member: 'app' }],
    permissions: [
      { classDesc: 'SERVER', permission: 'CONNECT SQL', state: 'GRANT', grantee: 'app', on: null },
      { classDesc: 'SERVER', permission: 'VIEW SERVER STATE', state: 'GRANT_WITH_GRANT_OPTION', grantee: 'app', on: null },
      { classDesc: 'SERVER_PRINCIPAL', permission: 'IMPERSONATE', state: 'GRANT', grantee: 'CONTOSO\\ann.lee', on: 'app' },
      { classDesc: 'ENDPOINT', permission: 'CONNECT', state: 'GRANT', grantee: 'app', on: 'TSQL Default TCP' },
    ],
  };
  const target = emptyTarget();
  target.logins.set('exists', { name: 'exists', type: 'S', sid: '0x99', disabled: false });
  const plan = planLogins(source, target, { mapping, sourceServerName: 'SQLSRC01' });
  const of = (name: string) => plan.logins.find((l) => l.source === name)!;

  test('system, local and certificate-mapped logins are excluded, each with the reason', () => {
    for (const n of ['sa', '##MS_PolicyTsqlExecutionLogin##', 'NT SERVICE\\MSSQLSERVER', 'SQLSRC01\\localadmin', 'Signer']) assert.equal(of(n).action, 'exclude', n);
    assert.match(exclusionReason(source.logins[4]!)!, /certificate-mapped/);
  });
  test('a SQL login keeps its hash, SID and policy flags; a missing default database is left for later; disabled after creation', () => {
    const app = of('app');
    assert.equal(app.action, 'create');
    if (app.action !== 'create') return;
    assert.equal(app.create.sql, [
      'BEGIN TRANSACTION;',
      `CREATE LOGIN [app] WITH PASSWORD = 0x0200${'AB'.repeat(68)} HASHED, SID = 0x0102030405060708090A0B0C0D0E0F10, DEFAULT_LANGUAGE = [us_english], CHECK_POLICY = ON, CHECK_EXPIRATION = ON;`,
      'ALTER LOGIN [app] DISABLE;',
      'COMMIT TRANSACTION;',
    ].join('\n'));
    assert.ok(app.notes.some((n) => /default database Payroll is not on the target yet/.test(n)));
    assert.deepEqual(app.then.map((t) => t.sql), ['ALTER SERVER ROLE [Ops] ADD MEMBER [app];', 'GRANT VIEW SERVER STATE TO [app] WITH GRANT OPTION;']);
    assert.ok(app.notes.some((n) => /endpoint/.test(n)), 'endpoint permissions are named as not migrated');
  });
  test('Windows logins and groups become Entra logins; their permissions follow under the new names', () => {
    const ann = of('CONTOSO\\ann.lee');
    assert.ok(ann.action === 'create' && ann.create.sql.includes('CREATE LOGIN [ann.lee@contoso.com] FROM EXTERNAL PROVIDER;') && ann.create.sql.includes('ALTER LOGIN [ann.lee@contoso.com] WITH DEFAULT_DATABASE = [Sales], DEFAULT_LANGUAGE = [us_english];'));
    assert.deepEqual(ann.action === 'create' && ann.then.map((t) => t.sql), ['GRANT IMPERSONATE ON LOGIN::[app] TO [ann.lee@contoso.com];']);
    const dbas = of('CONTOSO\\DBAs');
    assert.ok(dbas.action === 'create' && dbas.then.some((t) => t.sql === 'ALTER SERVER ROLE [sysadmin] ADD MEMBER [DBAs];'));
  });
  test('what exists is skipped and left alone; a user-defined role is created first', () => {
    assert.equal(of('exists').action, 'skip');
    const exists = of('exists');
    assert.deepEqual(exists.action === 'skip' ? exists.then : undefined, []);
    assert.deepEqual(plan.roles.map((r) => [r.name, r.action]), [['Ops', 'create']]);
  });
  test('selection by name and pattern', () => {
    const p = planLogins(source, target, { mapping, selection: { patterns: ['contoso\\*'] } });
    assert.deepEqual(p.logins.map((l) => l.source), ['CONTOSO\\ann.lee', 'CONTOSO\\DBAs']);
    assert.deepEqual(planLogins(source, target, { mapping, selection: { names: ['APP'] } }).logins.map((l) => l.source), ['app']);
  });
});

describe('T-SQL quoting', () => {
  test('names, strings and binaries', () => {
    assert.equal(quoteName('a]b'), '[a]]b]');
    assert.equal(nString("O'Brien"), "N'O''Brien'");
    assert.equal(binaryLiteral('0xab01'), '0xAB01');
    assert.throws(() => binaryLiteral("0x01'; DROP"));
    assert.throws(() => quoteName('x'.repeat(129)));
  });
});

describe('server objects script', () => {
  const src: ServerObjects = {
    jobs: [
      { name: 'T-SQL job', enabled: true, description: null, category: null, owner: 'sa', startStepId: 1, notifyLevelEmail: 2, notifyEmailOperator: 'DBAs', notifyLevelPage: 0, notifyLevelNetsend: 0, notifyLevelEventlog: 2, deleteLevel: 0,
        steps: [{ id: 1, name: 's1', subsystem: 'TSQL', command: "SELECT 1\nGO\nSELECT 'it''s'", database: 'master', databaseUser: null, onSuccessAction: 1, onSuccessStepId: 0, onFailAction: 2, onFailStepId: 0, retryAttempts: 0, retryInterval: 0, outputFile: 'C:\\log.txt', proxy: null }],
        schedules: [{ name: 'daily', enabled: true, freqType: 4, freqInterval: 1, freqSubdayType: 1, freqSubdayInterval: 0, freqRelativeInterval: 0, freqRecurrenceFactor: 0, activeStartDate: 20240101, activeEndDate: 99991231, activeStartTime: 0, activeEndTime: 235959 }] },
      { name: 'Mixed', enabled: true, description: null, category: null, owner: null, startStepId: 1, notifyLevelEmail: 0, notifyEmailOperator: null, notifyLevelPage: 0, notifyLevelNetsend: 0, notifyLevelEventlog: 0, deleteLevel: 0,
        steps: [
          { id: 1, name: 'sql', subsystem: 'TSQL', command: 'SELECT 1', database: 'master', databaseUser: null, onSuccessAction: 3, onSuccessStepId: 0, onFailAction: 2, onFailStepId: 0, retryAttempts: 0, retryInterval: 0, outputFile: null, proxy: null },
          { id: 2, name: 'shell', subsystem: 'CmdExec', command: 'dir', database: null, databaseUser: null, onSuccessAction: 1, onSuccessStepId: 0, onFailAction: 2, onFailStepId: 0, retryAttempts: 0, retryInterval: 0, outputFile: null, proxy: 'p' },
        ], schedules: [] },
    ],
    operators: [{ name: 'DBAs', enabled: true, email: 'dba@contoso.com', pager: 'x', netsend: null }],
    alerts: [{ name: 'Sev 17', messageId: 0, severity: 17, enabled: true }],
    linkedServers: [
      { name: 'SQL2', product: '', provider: 'MSOLEDBSQL', dataSource: 'sql2', location: null, providerString: null, catalog: null, logins: [{ localLogin: null, useSelf: false, remoteUser: 'u' }] },
      { name: 'XL', product: 'Excel', provider: 'Microsoft.ACE.OLEDB.12.0', dataSource: 'C:\\a.xlsx', location: null, providerString: null, catalog: null, logins: [] },
    ],
    credentials: [{ name: 'sas', identity: 'SHARED ACCESS SIGNATURE' }, { name: 'win', identity: 'CONTOSO\\svc' }],
    mailAccounts: [], mailProfiles: [], unreadable: [],
  };
  const script = scriptServerObjects(src);
  test('supported objects are scripted, unsupported ones listed with the reason; a job with an unsupported step is not scripted', () => {
    assert.deepEqual(script.objects.map((o) => `${o.kind}:${o.name}`), ['operator:DBAs', 'credential:sas', 'linked-server:SQL2', 'job:T-SQL job']);
    assert.deepEqual(script.unsupported.map((u) => `${u.kind}:${u.name}`), ['alert:Sev 17', 'credential:win', 'linked-server:XL', 'job:Mixed', 'job-step:Mixed / step 2 "shell"']);
    assert.match(stepSupport({ subsystem: 'PowerShell' } as never).supported ? '' : (stepSupport({ subsystem: 'PowerShell' } as never) as { reason: string }).reason, /PowerShell/);
  });
  test('secrets are placeholders; the file splits back into the same objects, a GO inside a string staying there', () => {
    const text = scriptText(script, 'SRC');
    assert.ok(text.includes("SECRET = N'<FILL IN: the shared access signature of credential sas>'"));
    const parsed = parseScript(text);
    assert.deepEqual(parsed.map((o) => o.name), script.objects.map((o) => o.name));
    assert.ok(parsed.find((o) => o.name === 'T-SQL job')!.sql.includes("SELECT 1\nGO\nSELECT ''it''''s''"));
    assert.equal(splitBatches("SELECT 1\nGO\n-- x\nSELECT '\nGO\n'\n go \nSELECT 3").length, 3);
  });
});

test('password hashes are never shown in plans', async () => {
  const { maskPasswordHashes } = await import('../../../src/core/serverObjects');
  assert.equal(maskPasswordHashes('CREATE LOGIN [a] WITH PASSWORD = 0x0200ABCD HASHED, SID = 0x01;'), 'CREATE LOGIN [a] WITH PASSWORD = 0x<password hash, not shown> HASHED, SID = 0x01;');
});
