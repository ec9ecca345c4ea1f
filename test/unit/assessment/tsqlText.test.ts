import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitCode, sqlLike } from '../../../src/core/assessment';
import { MODULE_PATTERNS } from '../../../src/core/assessment/probes';
import { MATCHERS } from '../../../src/core/assessment/rules/text';
import type { Facts } from '../../../src/core/assessment/rule';

const facts = {
  linkedServers: [
    { name: 'ORAFIN', provider: 'OraOLEDB.Oracle', product: 'Oracle', dataSource: '' },
    { name: 'REPORTSRV', provider: 'SQLNCLI11', product: '', dataSource: '' },
  ],
} as unknown as Facts;
const hit = (rule: string, sql: string) => MATCHERS[rule]!(splitCode(sql), facts);

describe('T-SQL text', () => {
  test('comments blank out, nested ones too; literals become placeholders with their values', () => {
    const t = splitCode("SELECT 'it''s' /* a /* nested */ xp_cmdshell */ , [x'y] -- RAISERROR 1 'z'\nFROM t");
    assert.equal(t.code, "SELECT §0§   , [x'y]  \nFROM t");
    assert.deepEqual(t.literals, ["it's"]);
  });

  test('an unterminated comment or string does not throw', () => {
    assert.deepEqual(splitCode("SELECT 'open").literals, ['open']);
    assert.equal(splitCode('SELECT 1 /* open').code, 'SELECT 1  ');
  });

  test('LIKE as SQL Server reads it: %, _, sets, negated sets, case-insensitive', () => {
    assert.ok(sqlLike('EXEC XP_CMDSHELL', '%xp[_]cmdshell%'));
    assert.ok(!sqlLike('EXEC xpXcmdshell', '%xp[_]cmdshell%'));
    assert.ok(sqlLike('a*=b', '%*=%'));
    assert.ok(sqlLike('abc', 'a_c'));
    assert.ok(sqlLike('abc', 'a[^x]c'));
    assert.ok(!sqlLike('axc', 'a[^x]c'));
    assert.ok(sqlLike('a.b(c)', 'a.b(c)'));
  });

  test('every module a text rule confirms is also a LIKE candidate', () => {
    const samples = [
      "CREATE ASSEMBLY a FROM 'c:\\a.dll'", 'BULK INSERT t FROM \'f\'', 'SELECT 1 COMPUTE SUM(x)', 'CREATE CRYPTOGRAPHIC PROVIDER p FROM FILE = \'x\'',
      'SELECT * FROM sys.database_principal_aliases', "EXEC sp_addalias 'a', 'b'", 'SET DISABLE_DEF_CNST_CHK ON', 'SELECT * FROM t WITH (FASTFIRSTROW)',
      'BEGIN DISTRIBUTED TRANSACTION', 'WHERE a.x *= b.y', 'WHERE a.x =* b.y', "SELECT * FROM OPENROWSET(BULK 'f', SINGLE_CLOB) r",
      "SELECT * FROM OPENDATASOURCE('Microsoft.ACE.OLEDB.12.0', 'x').a.b.c", "RAISERROR 50001 'x'", "EXEC xp_sendmail 'a'", "EXEC sp_dboption 'db'", "EXEC xp_cmdshell 'dir'",
    ];
    for (const s of samples) assert.ok(MODULE_PATTERNS.some((p) => sqlLike(s, p)), s);
  });
});

describe('rule matchers confirm on code only', () => {
  const cases: [string, string, boolean][] = [
    ['AssemblyFromFile', "CREATE ASSEMBLY Calc FROM 'D:\\clr\\calc.dll' WITH PERMISSION_SET = SAFE", true],
    ['AssemblyFromFile', 'CREATE ASSEMBLY Calc AUTHORIZATION dbo FROM N\'\\\\share\\calc.dll\'', true],
    ['AssemblyFromFile', 'CREATE ASSEMBLY Calc FROM 0x4D5A900003', false],
    ['BulkInsert', "BULK INSERT t FROM 'c:\\x.csv' WITH (FIELDTERMINATOR = ',')", true],
    ['BulkInsert', "BULK INSERT t FROM 'x.csv' WITH (DATA_SOURCE = 'Blob')", false],
    ['BulkInsert', "SELECT 'BULK INSERT' AS label", false],
    ['ComputeClause', 'SELECT a FROM t COMPUTE SUM(a) BY b', true],
    ['ComputeClause', 'SELECT compute_total FROM t', false],
    ['NonANSILeftOuterJoinSyntax', 'SELECT * FROM a, b WHERE a.id *= b.id', true],
    ['NonANSILeftOuterJoinSyntax', 'SET @x *= 2', false],
    ['NonANSILeftOuterJoinSyntax', 'UPDATE t SET qty *= 2', false],
    ['NonANSIRightOuterJoinSyntax', 'SELECT * FROM a, b WHERE a.id =* b.id', true],
    ['NonANSIRightOuterJoinSyntax', "SELECT * FROM a WHERE a.note = '=*'", false],
    ['RAISERROR', "RAISERROR 50001 'Not found'", true],
    ['RAISERROR', "RAISERROR @msg N'x'", true],
    ['RAISERROR', "RAISERROR('Not found', 16, 1)", false],
    ['OpenRowsetWithNonSQLProvider', "SELECT * FROM OPENROWSET('Microsoft.ACE.OLEDB.12.0', 'Excel 12.0;Database=x.xlsx', 'SELECT 1')", true],
    ['OpenRowsetWithNonSQLProvider', "SELECT * FROM OPENROWSET('MSOLEDBSQL', 'Server=x;', 'SELECT 1')", false],
    ['OpenRowsetWithNonSQLProvider', "SELECT * FROM OPENROWSET(BULK 'x', SINGLE_BLOB) b", false],
    ['OpenRowsetWithNonBlobDataSourceBulk', "SELECT * FROM OPENROWSET(BULK 'x', DATA_SOURCE = 'Blob', SINGLE_BLOB) b", false],
    ['SqlMail', 'EXEC master..xp_sendmail @recipients = N\'a\'', true],
    ['SqlMail', 'EXEC msdb.dbo.sp_send_dbmail @recipients = N\'a\'', false],
    ['SystemProcedures110', "EXEC sp_dboption 'db', 'read only', 'true'", true],
    ['XpCmdshell', '-- EXEC xp_cmdshell\nSELECT 1', false],
    ['MIHeterogeneousMSDTCTransactSQL', 'BEGIN DISTRIBUTED TRAN; INSERT INTO ORAFIN..LEDGER.X SELECT 1; COMMIT', true],
    ['MIHomogeneousMSDTCTransactSQL', 'BEGIN DISTRIBUTED TRAN; INSERT INTO ORAFIN..LEDGER.X SELECT 1; COMMIT', false],
    ['MIHomogeneousMSDTCTransactSQL', 'BEGIN DISTRIBUTED TRANSACTION; UPDATE [REPORTSRV].r.dbo.t SET a = 1; COMMIT', true],
    ['MIHeterogeneousMSDTCTransactSQL', "SELECT 'BEGIN DISTRIBUTED TRAN ORAFIN.x'", false],
  ];
  for (const [rule, sql, expected] of cases) {
    test(`${rule} ${expected ? 'fires on' : 'ignores'}: ${sql.slice(0, 60)}`, () => {
      assert.equal(Boolean(hit(rule, sql)), expected, String(hit(rule, sql)));
    });
  }

  test('excerpts show the literal, not the placeholder', () => {
    assert.equal(hit('RAISERROR', "RAISERROR 50001 'Customer ''x'' missing'"), "RAISERROR 50001 'Customer ''x'' missing'");
  });
});
