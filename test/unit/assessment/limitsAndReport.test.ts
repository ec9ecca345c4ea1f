import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { escapeHtml, reportFromJson, reportToCsv, type AssessmentReport } from '../../../src/core/assessment';
import { CURRENT_MI_LIMITS, limitsTable, maxInstanceStorageGb, parseTier, storageAt } from '../../../src/core/sku/miLimits';

describe('Managed Instance limits table', () => {
  test('tiers by name and alias; unknown ones say what exists', () => {
    assert.equal(parseTier('GP'), 'general-purpose');
    assert.equal(parseTier('Next-gen'), 'next-gen-general-purpose');
    assert.equal(parseTier('business critical'), 'business-critical');
    assert.throws(() => parseTier('hyperscale'), /use general-purpose, next-gen-general-purpose or business-critical/);
  });

  test('storage and database limits per tier, versioned', () => {
    const t = CURRENT_MI_LIMITS.tiers;
    assert.equal(maxInstanceStorageGb(t['general-purpose']), 16 * 1024);
    assert.equal(maxInstanceStorageGb(t['next-gen-general-purpose']), 32 * 1024);
    assert.equal(maxInstanceStorageGb(t['business-critical'], 'standard-series'), 4 * 1024);
    assert.equal(storageAt(t['general-purpose'], 'standard-series', 8), 8 * 1024);
    assert.equal(storageAt(t['general-purpose'], 'standard-series', 4), 2 * 1024);
    assert.equal(t['next-gen-general-purpose'].maxUserDatabases, 500);
    assert.equal(limitsTable('2022-06-02').tiers['next-gen-general-purpose'].maxUserDatabases, 100);
    assert.throws(() => limitsTable('1999-01-01'), /known: 2026-03-10, 2022-06-02/);
  });
});

const minimal: AssessmentReport = {
  format: 'sqlmig-assessment', formatVersion: 1, createdAt: '2026-11-01T00:00:00Z', durationMs: 1, roundTrips: 5,
  tool: { name: 'sqlmig', version: 'dev' },
  server: { name: 'S', address: 's', productName: 'SQL Server 2019', productVersion: '15.0.1', productLevel: 'RTM', edition: 'E', hostPlatform: 'Windows' },
  target: { platform: 'AzureSqlManagedInstance', tier: 'general-purpose', tierName: 'General Purpose', mode: 'online', limitsVersion: '2026-03-10' },
  summary: { databases: 1, ready: 0, issues: 1, blocked: 0, blockers: 0, issueCount: 1, warnings: 0 },
  instanceFindings: [],
  databases: [{
    name: '=cmd', state: 'ONLINE', sizeMb: 1, recoveryModel: 'FULL', compatibilityLevel: 150, readiness: 'issues',
    counts: { blocker: 0, issue: 1, warning: 0 },
    findings: [{ ruleId: 'XpCmdshell', title: 'xp_cmdshell', category: 'issue', level: 'database', origin: 'managed-instance-rule', database: '=cmd',
      message: 'uses "xp_cmdshell", twice', objects: [{ type: 'SQL_STORED_PROCEDURE', name: 'dbo.p' }], recommendation: 'r', docs: 'https://example.invalid' }],
  }],
  rules: [{ id: 'XpCmdshell', title: 'x', category: 'issue', level: 'database', origin: 'managed-instance-rule', status: 'failed', docs: 'd' }],
};

describe('report import and CSV', () => {
  test('import checks the shape and names the first thing wrong', () => {
    assert.deepEqual(reportFromJson(JSON.stringify(minimal)), minimal);
    assert.throws(() => reportFromJson('{nope'), /is not JSON/);
    assert.throws(() => reportFromJson(JSON.stringify({ ...minimal, format: 'other' })), /format should be "sqlmig-assessment"/);
    assert.throws(() => reportFromJson(JSON.stringify({ ...minimal, formatVersion: 2 })), /format version 2; this sqlmig reads version 1/);
    const bad = structuredClone(minimal) as unknown as { databases: { findings: { category: string }[] }[] };
    bad.databases[0]!.findings[0]!.category = 'fatal';
    assert.throws(() => reportFromJson(JSON.stringify(bad), 'r.json'), /r\.json is not a sqlmig assessment report: databases\[0\]\.findings\[0\]\.category should be one of blocker, issue, warning/);
  });

  test('CSV quotes commas and quotes, and keeps spreadsheet formulas inert', () => {
    const csv = reportToCsv(minimal).split('\r\n');
    assert.equal(csv[1], `S,'=cmd,issues,XpCmdshell,issue,database,xp_cmdshell,"uses ""xp_cmdshell"", twice",SQL_STORED_PROCEDURE dbo.p,r,https://example.invalid`);
  });

  test('HTML escaping', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('rule catalog', () => {
  test('all 34 Managed Instance rule ids are implemented, once each, with their data', async () => {
    const { ALL_RULES, MANAGED_INSTANCE_RULE_IDS } = await import('../../../src/core/assessment');
    assert.equal(MANAGED_INSTANCE_RULE_IDS.length, 34);
    const ids = ALL_RULES.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'rule ids are unique');
    for (const id of MANAGED_INSTANCE_RULE_IDS) {
      const rule = ALL_RULES.find((r) => r.id === id);
      assert.ok(rule, `${id} is missing`);
      assert.equal(rule.origin, 'managed-instance-rule', id);
    }
    for (const r of ALL_RULES) {
      assert.ok(r.title && r.recommendation && /^https:\/\/learn\.microsoft\.com\//.test(r.docs), r.id);
      assert.ok(['blocker', 'issue', 'warning'].includes(r.category) && ['instance', 'database'].includes(r.level), r.id);
    }
  });
});
