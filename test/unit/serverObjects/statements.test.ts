/**
 * Every statement the login, TDE and server-object features send parses as T-SQL. Queries and
 * EXEC of system procedures parse with node-sql-parser (Transact-SQL), and must come out as the
 * statement they are (a SELECT, an EXEC): its grammar reads unknown words as bare
 * assignments, so "parses" alone proves nothing. Its Transact-SQL grammar has no CREATE LOGIN,
 * ALTER LOGIN, CREATE/ALTER SERVER ROLE, ALTER USER, CREATE CREDENTIAL, server GRANT/DENY or
 * BEGIN/COMMIT TRANSACTION: those are read by the sandbox managed instance's grammar
 * (sandbox/tds/tsql.ts), written from Microsoft's documented syntax apart from the builders.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Parser } from 'node-sql-parser';
import { parseBatch } from '../../../sandbox/tds/tsql';
import { bundledProfile } from '../../../sandbox/tds';
import {
  ALERTS_QUERY, CREDENTIALS_QUERY, databaseUsersQuery, JOBS_QUERY, LINKED_SERVERS_QUERY, LOGINS_QUERY, MAIL_QUERY, OPERATORS_QUERY, PERMISSIONS_QUERY, planLogins, planStatements,
  remapStatement, roleMembershipsQuery, SCHEDULES_QUERY, scriptServerObjects, STEPS_QUERY, TARGET_CERTIFICATES_QUERY, TARGET_DATABASES_QUERY, TARGET_LOGINS_QUERY,
  TARGET_OBJECTS_QUERY, TARGET_ROLES_QUERY, addMapping, emptyMapping, type ServerObjects,
} from '../../../src/core/serverObjects';
import { exportCertificateQuery, tdeDatabasesQuery } from '../../../src/core/tde';

const parser = new Parser();
const astTypes = (sql: string) => {
  const ast = parser.astify(sql, { database: 'transactsql' });
  return (Array.isArray(ast) ? ast : [ast]).map((a) => (a as { type?: string }).type ?? (a as { stmt?: { type?: string } }).stmt?.type);
};

/** One statement per line, as the builders write them (a ; ends each). */
function statementsOf(batch: string): string[] {
  return batch.split(/;\n/).map((s) => s.trim().replace(/;$/, '')).filter(Boolean);
}

function checkStatement(sql: string): void {
  const first = /^\w+/.exec(sql)?.[0]?.toUpperCase();
  if (first === 'EXEC' || first === 'SELECT') {
    assert.deepEqual(astTypes(sql), [first === 'EXEC' ? 'exec' : 'select'], sql);
  } else {
    let types: (string | undefined)[] | undefined;
    try {
      types = astTypes(sql);
    } catch {
      types = undefined;
    }
    assert.ok(!types || types.every((t) => t === 'assign'), `node-sql-parser now reads ${first} as ${String(types)}: check the statement with it`);
  }
  assert.doesNotThrow(() => parseBatch(sql), sql);
}

describe('every statement the product sends parses', () => {
  test('node-sql-parser is a guard for what it reads, and the sandbox grammar for the rest', () => {
    assert.throws(() => parser.astify('SELECT name FROM sys.server_principals WHERE', { database: 'transactsql' }));
    assert.deepEqual(astTypes('ALTER garbage words here'), ['assign', 'assign'], 'unknown words come out as bare assignments: a type check is needed');
    assert.throws(() => parseBatch('CREATE LOGIN [x] WITH PASSWORD = 0x0200 HASHED, SID = 0x01, CHECK_POLICY = MAYBE'));
    assert.throws(() => parseBatch('ALTER SERVER ROLE [sysadmin] ADD [x]'));
    assert.throws(() => parseBatch('EXEC msdb.dbo.sp_add_job @job_name = N\'x\' @enabled = 1'));
  });

  test('the catalog queries, source and target', () => {
    const queries = [LOGINS_QUERY, PERMISSIONS_QUERY, ...[10, 11, 16].map(roleMembershipsQuery), JOBS_QUERY, STEPS_QUERY, SCHEDULES_QUERY, OPERATORS_QUERY, ALERTS_QUERY,
      LINKED_SERVERS_QUERY, CREDENTIALS_QUERY, MAIL_QUERY, TARGET_DATABASES_QUERY, TARGET_LOGINS_QUERY, TARGET_ROLES_QUERY, TARGET_OBJECTS_QUERY, TARGET_CERTIFICATES_QUERY,
      databaseUsersQuery("Order Entry's"), tdeDatabasesQuery(11), tdeDatabasesQuery(16), exportCertificateQuery(256, 'x')];
    for (const q of queries) {
      assert.match(q.text, /^\/\* sqlmig:[\w.]+ \*\/\n/);
      assert.ok(astTypes(q.text).every((t) => t === 'select'), q.id);
    }
    assert.ok(!exportCertificateQuery(256, 'Secret123').text.includes('Secret123'), 'the one-time password is a parameter, never in the text');
  });

  test('the login plan\'s statements and the user mapping', () => {
    const profile = bundledProfile('default');
    void profile;
    const plan = planLogins({
      logins: [
        { principalId: 300, name: 'app', kind: 'sql', sid: '0x0102', disabled: true, defaultDatabase: "O'Brien", defaultLanguage: 'us_english', passwordHash: `0x0200${'AB'.repeat(68)}`, checkPolicy: true, checkExpiration: false },
        { principalId: 301, name: 'CONTOSO\\ann', kind: 'windows-user', sid: '0x0105', disabled: false, defaultDatabase: 'Sales', defaultLanguage: null },
        { principalId: 302, name: 'CONTOSO\\Ops]Team', kind: 'windows-group', sid: '0x0106', disabled: false, defaultDatabase: 'master', defaultLanguage: null },
      ],
      roleMemberships: [{ role: 'sysadmin', fixedRole: true, member: 'CONTOSO\\Ops]Team' }, { role: 'Custom Role', fixedRole: false, member: 'app' }],
      permissions: [{ classDesc: 'SERVER', permission: 'VIEW SERVER STATE', state: 'DENY', grantee: 'app', on: null }, { classDesc: 'SERVER_PRINCIPAL', permission: 'IMPERSONATE', state: 'GRANT', grantee: 'CONTOSO\\ann', on: 'app' }],
    }, { databases: ["O'Brien", 'Sales'], logins: new Map(), bySid: new Map(), roles: new Map() }, { mapping: addMapping(emptyMapping(), 'CONTOSO=contoso.com') });
    const batches = [...planStatements(plan), remapStatement('CONTOSO\\ann', 'ann@contoso.com')];
    assert.ok(batches.length >= 8);
    for (const b of batches) {
      assert.doesNotThrow(() => parseBatch(b), b);
      for (const s of statementsOf(b)) checkStatement(s);
    }
  });

  test('the server objects script, every object', () => {
    const src: ServerObjects = {
      jobs: [{ name: "Nightly 'x'", enabled: true, description: 'd', category: null, owner: null, startStepId: 1, notifyLevelEmail: 2, notifyEmailOperator: 'Ops', notifyLevelPage: 0, notifyLevelNetsend: 0, notifyLevelEventlog: 0, deleteLevel: 0,
        steps: [{ id: 1, name: 's', subsystem: 'TSQL', command: "SELECT 'a';\nGO\nEXEC dbo.p", database: 'Sales', databaseUser: 'dbo', onSuccessAction: 1, onSuccessStepId: 0, onFailAction: 2, onFailStepId: 0, retryAttempts: 1, retryInterval: 5, outputFile: null, proxy: null }],
        schedules: [{ name: 'w', enabled: true, freqType: 8, freqInterval: 62, freqSubdayType: 4, freqSubdayInterval: 15, freqRelativeInterval: 0, freqRecurrenceFactor: 1, activeStartDate: 20240101, activeEndDate: 99991231, activeStartTime: 0, activeEndTime: 235959 }] }],
      operators: [{ name: 'Ops', enabled: true, email: 'ops@contoso.com', pager: null, netsend: null }],
      alerts: [],
      linkedServers: [{ name: 'SQL2', product: '', provider: 'MSOLEDBSQL', dataSource: 'sql2,1433', location: null, providerString: 'Encrypt=yes', catalog: 'db', logins: [{ localLogin: 'app', useSelf: false, remoteUser: 'u' }, { localLogin: null, useSelf: true, remoteUser: null }] }],
      credentials: [{ name: 'sas', identity: 'SHARED ACCESS SIGNATURE' }, { name: 'mi', identity: 'Managed Identity' }],
      mailAccounts: [{ name: 'Mail', email: 'a@contoso.com', displayName: 'A', replyTo: null, description: null, server: 'smtp', serverType: 'SMTP', port: 587, username: 'a', useDefaultCredentials: false, enableSsl: true }],
      mailProfiles: [{ name: 'AzureManagedInstance_dbmail_profile', description: null, accounts: [{ account: 'Mail', sequence: 1 }] }],
      unreadable: [],
    };
    const script = scriptServerObjects(src);
    assert.equal(script.objects.length, 7);
    for (const o of script.objects) {
      assert.doesNotThrow(() => parseBatch(o.sql), o.sql);
      // A statement whose string holds ";\n" would split wrong here: the commands above keep theirs inside one EXEC.
      for (const s of parseableStatements(o.sql)) checkStatement(s);
    }
  });
});

/** The statements of a generated batch: BEGIN, each EXEC or CREATE, COMMIT (split outside strings). */
function parseableStatements(batch: string): string[] {
  const out: string[] = [];
  let start = 0;
  let inString = false;
  for (let i = 0; i < batch.length; i++) {
    if (batch[i] === "'") inString = !inString;
    else if (!inString && batch[i] === ';') {
      out.push(batch.slice(start, i).trim());
      start = i + 1;
    }
  }
  return out.filter(Boolean);
}
