/** The multi-server report: the single-server reports inside it unchanged, totals, and its views. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fleetFromJson, fleetToCsv, fleetToHtml, fleetToJson, formatFleet, isFleetReport, summarizeFleet, type FleetReport } from '../../../src/core/assessment/fleetReport';
import { reportToCsv, type AssessmentReport } from '../../../src/core/assessment/report';

const one: AssessmentReport = {
  format: 'sqlmig-assessment', formatVersion: 1, createdAt: '2026-11-01T00:00:00Z', durationMs: 1, roundTrips: 5,
  tool: { name: 'sqlmig', version: 'dev' },
  server: { name: 'SQL01\\SALES', address: 'sql01,50123', productName: 'SQL Server 2019', productVersion: '15.0.4298.1', productLevel: 'CU', edition: 'Enterprise Edition (64-bit)', hostPlatform: 'Windows' },
  target: { platform: 'AzureSqlManagedInstance', tier: 'general-purpose', tierName: 'General Purpose', mode: 'online', limitsVersion: '2026-03-10' },
  summary: { databases: 1, ready: 0, issues: 0, blocked: 1, blockers: 1, issueCount: 0, warnings: 0 },
  instanceFindings: [],
  databases: [{
    name: 'Docs', state: 'ONLINE', sizeMb: 1, recoveryModel: 'FULL', compatibilityLevel: 150, readiness: 'blocked', counts: { blocker: 1, issue: 0, warning: 0 },
    findings: [{ ruleId: 'FileStream', title: 'FILESTREAM', category: 'blocker', level: 'database', origin: 'managed-instance-rule', database: 'Docs', message: 'FILESTREAM <filegroup>', objects: [], recommendation: 'r', docs: 'https://example.invalid' }],
  }],
  rules: [],
};

function fleet(): FleetReport {
  const servers = [{ address: 'sql01,50123', report: one }, { address: '<sql02>', error: { kind: 'unreachable', message: 'sql02 did not answer, "twice"' } }];
  return {
    format: 'sqlmig-assessment-fleet', formatVersion: 1, createdAt: '2026-11-01T00:00:00Z', durationMs: 3, tool: { name: 'sqlmig', version: 'dev' },
    target: one.target, summary: summarizeFleet(servers), servers,
  };
}

test('totals over the servers assessed; the saved file reads back, checking each report inside', () => {
  const f = fleet();
  assert.deepEqual(f.summary, { servers: 2, assessed: 1, failed: 1, databases: 1, ready: 0, issues: 0, blocked: 1, blockers: 1, issueCount: 0, warnings: 0 });
  assert.deepEqual(fleetFromJson(fleetToJson(f)), f);
  assert.ok(isFleetReport(f) && !isFleetReport(one));
  const bad = structuredClone(f) as unknown as { servers: { report?: { databases: { readiness: string }[] } }[] };
  bad.servers[0]!.report!.databases[0]!.readiness = 'maybe';
  assert.throws(() => fleetFromJson(JSON.stringify(bad), 'f.json'), /f\.json servers\[0\]\.report is not a sqlmig assessment report: databases\[0\]\.readiness/);
  assert.throws(() => fleetFromJson(JSON.stringify({ ...f, formatVersion: 9 }), 'f.json'), /format version 9/);
});

test('CSV: the single-server rows of every server, then one row per server not assessed', () => {
  const rows = fleetToCsv(fleet()).trimEnd().split('\r\n');
  const single = reportToCsv(one).trimEnd().split('\r\n');
  assert.deepEqual(rows.slice(0, single.length), single);
  assert.equal(rows.at(-1), '<sql02>,,NOT ASSESSED,,,,,"sql02 did not answer, ""twice""",,,');
});

test('text and HTML: a table of the servers, then what blocks; every value escaped', () => {
  const text = formatFleet(fleet());
  assert.match(text, /^2 servers: 1 assessed, 1 not assessed; 1 databases: 0 ready, 0 with issues, 1 blocked/);
  assert.match(text, /<sql02>: not assessed \(unreachable\): sql02 did not answer/);
  const html = fleetToHtml(fleet());
  assert.match(html, /<h1>2 SQL Servers → Azure SQL Managed Instance<\/h1>/);
  assert.ok(html.includes('&lt;sql02&gt;') && !html.includes('<sql02>') && html.includes('FILESTREAM &lt;filegroup&gt;'));
  assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/);
});
