import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Parser } from 'node-sql-parser';
import { ALL_RULES, PROBES, type ProbeId } from '../../../src/core/assessment';
import { backupHistoryQuery, databasesQuery, FILES_QUERY, PROPERTIES_QUERY } from '../../../src/core/source';

const parser = new Parser();
const parse = (sql: string) => parser.astify(sql, { database: 'transactsql' });

// Names that test quoting: a space, a quote, a dash. (The parser does not read ]] inside brackets,
// so names with a ] are checked for their quoting, not parsed.)
const DATABASES = ['Sales', 'Order Entry', "O'Brien", 'x-y'];
const VERSIONS = [10, 11, 12, 13, 15, 16];

describe('every query the product sends parses as T-SQL', () => {
  test('the parser is a real guard: broken T-SQL does not parse', () => {
    assert.throws(() => parse('SELECT name FROM sys.databases WHERE'));
    assert.throws(() => parse('SELECT name FROM [Sales.sys.sql_modules'));
    assert.throws(() => parse('SELECT name FROM FROM sys.databases'));
  });

  test('the inventory queries, for every version', () => {
    parse(PROPERTIES_QUERY.text);
    parse(FILES_QUERY.text);
    for (const v of VERSIONS) {
      parse(databasesQuery(v).text);
      parse(backupHistoryQuery(v, 5).text);
    }
  });

  const probes = new Set<ProbeId>(ALL_RULES.flatMap((r) => r.probes));
  for (const id of probes) {
    test(`probe ${id}, used by ${ALL_RULES.filter((r) => r.probes.includes(id)).map((r) => r.id).join(', ')}`, () => {
      for (const v of VERSIONS) {
        const q = PROBES[id].build({ majorVersion: v, databases: DATABASES });
        assert.match(q.text, new RegExp(`^/\\* sqlmig:${id.replace('.', '\\.')} \\*/\\n`));
        parse(q.text);
        if (PROBES[id].scope === 'database') {
          assert.deepEqual(q.params?.map((p) => p.value), DATABASES);
          const odd = PROBES[id].build({ majorVersion: v, databases: ['odd]name'] }).text;
          assert.ok(odd.includes('[odd]]name].sys.') && !odd.includes('[odd]name]'), 'a ] in a name is doubled');
        }
      }
    });
  }

  test('every rule reads only probes that exist', () => {
    for (const r of ALL_RULES) for (const p of r.probes) assert.ok(PROBES[p], `${r.id} reads unknown probe ${p}`);
  });
});
