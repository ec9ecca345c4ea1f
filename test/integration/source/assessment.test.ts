import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { bundledProfile, startTdsServer, type RunningTdsServer, type SandboxLogin, type ServerProfile } from '../../../sandbox/tds';
import {
  ALL_RULES, AssessmentInputError, assessServer, reportFromJson, reportToCsv, reportToHtml, reportToJson,
  type AssessmentOptions, type AssessmentProgress, type AssessmentReport,
} from '../../../src/core/assessment';
import { SourceError } from '../../../src/core/source';

const password = randomBytes(12).toString('base64url');
const running: RunningTdsServer[] = [];
after(async () => {
  await Promise.all(running.map((s) => s.stop()));
});

async function serve(profile: ServerProfile, extra: { logins?: SandboxLogin[]; latencyMs?: number } = {}): Promise<RunningTdsServer> {
  const s = await startTdsServer({ profile, logins: extra.logins ?? [{ user: 'migrator', password }], ...(extra.latencyMs && { latencyMs: extra.latencyMs }) });
  running.push(s);
  return s;
}

async function run(profile: ServerProfile, options: AssessmentOptions = {}, extra: Parameters<typeof serve>[1] = {}): Promise<{ report: AssessmentReport; server: RunningTdsServer }> {
  const server = await serve(profile, extra);
  const report = await assessServer({ server: `127.0.0.1,${server.port}`, auth: { kind: 'sql', user: 'migrator', password }, trustServerCertificate: true }, options);
  return { report, server };
}

const fired = (r: AssessmentReport) =>
  new Set([...r.instanceFindings, ...r.databases.flatMap((d) => d.findings)].map((f) => f.ruleId));

function manyDatabases(count: number): ServerProfile {
  const p = bundledProfile('clean');
  const template = p.databases[1]!;
  p.databases = Array.from({ length: count }, (_, i) => ({ ...structuredClone(template), name: `Db${String(i).padStart(3, '0')}` }));
  return p;
}

/** Where each rule that does not fire on the default profile with default options does fire. */
const SCENARIOS: Record<string, () => Promise<AssessmentReport>> = {
  SourceVersionSupported: async () => {
    const p = bundledProfile('default');
    p.server.version = '11.0.7001.0';
    return (await run(p)).report;
  },
  BusinessCriticalSeeding: async () => (await run(bundledProfile('default'), { tier: 'business-critical' })).report,
  SourceLoginPermissions: async () => (await run(bundledProfile('default'), {}, { logins: [{ user: 'migrator', password, sysadmin: false }] })).report,
  NumDbExceeds100: async () => (await run(manyDatabases(101))).report,
};

describe('assessment against the sandbox server', () => {
  let defaultReport: AssessmentReport;
  let defaultServer: RunningTdsServer;
  const progress: AssessmentProgress[] = [];

  test('the default profile: readiness per database', async () => {
    ({ report: defaultReport, server: defaultServer } = await run(bundledProfile('default'), { onProgress: (p) => progress.push(p) }));
    const readiness = Object.fromEntries(defaultReport.databases.map((d) => [d.name, d.readiness]));
    assert.deepEqual(readiness, {
      Archive2012: 'blocked', DocumentStore: 'blocked', Inventory: 'ready', LegacyApp: 'blocked',
      Payroll: 'issues', Reporting: 'blocked', Sales: 'ready', Warehouse: 'blocked',
    });
    const blockers = (name: string) => defaultReport.databases.find((d) => d.name === name)!.findings.filter((f) => f.category === 'blocker').map((f) => f.ruleId).sort();
    assert.deepEqual(blockers('Warehouse'), ['FileSizeLimit', 'MIDatabaseSize', 'MultipleLogFiles']);
    assert.deepEqual(blockers('DocumentStore'), ['FileStream']);
    assert.deepEqual(blockers('Reporting'), ['InMemoryOltpOnGeneralPurpose']);
    assert.deepEqual(blockers('LegacyApp'), ['RecoveryModelNotFull']);
    assert.deepEqual(blockers('Archive2012'), ['DatabaseNotOnline']);
    assert.deepEqual(defaultReport.summary, { databases: 8, ready: 2, issues: 1, blocked: 5, blockers: 7, issueCount: 18, warnings: 28 });
  });

  test('round trips stay far below rules + databases, one query per probe', () => {
    assert.ok(defaultReport.roundTrips <= ALL_RULES.length + defaultReport.databases.length, `${defaultReport.roundTrips} round trips`);
    assert.equal(defaultReport.roundTrips, 13);
    const ids = defaultServer.stats.queryIds;
    assert.equal(new Set(ids).size, ids.length, `a probe was asked twice: ${ids.join(', ')}`);
  });

  test('progress goes forward and ends at its total', () => {
    assert.deepEqual([...new Set(progress.map((p) => p.phase))], ['connecting', 'inventory', 'probes', 'rules', 'done']);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.done >= progress[i - 1]!.done);
    const last = progress.at(-1)!;
    assert.equal(last.done, last.total);
  });

  test('every rule fires where it should: on the default profile or its own scenario', async () => {
    const onDefault = fired(defaultReport);
    for (const rule of ALL_RULES) {
      if (onDefault.has(rule.id)) {
        assert.ok(!SCENARIOS[rule.id], `${rule.id} fires on the default profile; its scenario is stale`);
        continue;
      }
      const scenario = SCENARIOS[rule.id];
      assert.ok(scenario, `${rule.id} fires neither on the default profile nor in a scenario`);
      assert.ok(fired(await scenario()).has(rule.id), `${rule.id} does not fire in its scenario`);
    }
  });

  test('the clean profile: every rule runs, none fires, every database is ready', async () => {
    const { report } = await run(bundledProfile('clean'));
    assert.deepEqual([...fired(report)], []);
    assert.ok(report.rules.every((r) => r.status === 'passed'), report.rules.filter((r) => r.status !== 'passed').map((r) => r.id).join(', '));
    assert.ok(report.databases.every((d) => d.readiness === 'ready'));
    assert.equal(report.rules.length, ALL_RULES.length);
  });

  test('a SQL Server 2008 R2 source: version-dependent columns are never asked for', async () => {
    const p = bundledProfile('default');
    p.server.version = '10.50.6000.34';
    const { report } = await run(p);
    assert.ok(report.rules.every((r) => r.status !== 'not-run'));
    assert.equal(report.server.productName, 'SQL Server 2008 R2');
    // FileTables and memory-optimized tables do not exist before 2012 and 2014.
    const docs = report.databases.find((d) => d.name === 'DocumentStore')!.findings.find((f) => f.ruleId === 'FileStream')!;
    assert.ok(!docs.objects.some((o) => o.type === 'FILETABLE'));
  });

  test('offline mode and the Business Critical tier change what blocks', async () => {
    const { report } = await run(bundledProfile('default'), { mode: 'offline', tier: 'business-critical', databases: ['LegacyApp', 'reporting'] });
    assert.deepEqual(report.databases.map((d) => [d.name, d.readiness]), [['LegacyApp', 'issues'], ['Reporting', 'issues']]);
    assert.ok(!fired(report).has('RecoveryModelNotFull'));
    assert.ok(!fired(report).has('InMemoryOltpOnGeneralPurpose'));
    assert.equal(report.target.tier, 'business-critical');
  });

  test('one unreadable database does not hide the others', async () => {
    const p = bundledProfile('clean');
    p.databases.push({ name: 'Damaged', failsWith: { number: 824, message: 'SQL Server detected a logical consistency-based I/O error.' } });
    const { report } = await run(p);
    const damaged = report.databases.find((d) => d.name === 'Damaged')!;
    assert.equal(damaged.readiness, 'blocked');
    assert.match(damaged.findings[0]!.message, /could not be read: .*logical consistency-based I\/O error/);
    assert.ok(report.databases.filter((d) => d.name !== 'Damaged').every((d) => d.readiness === 'ready'));
  });

  test('a probe the login may not read marks its rules "not run"; the rest still run', async () => {
    const { report } = await run(bundledProfile('default'), {}, { logins: [{ user: 'migrator', password, deny: ['server.jobSteps'] }] });
    const notRun = report.rules.filter((r) => r.status === 'not-run').map((r) => r.id).sort();
    assert.deepEqual(notRun, ['AnalysisCommandJob', 'AnalysisQueryJob', 'CmdExecJob', 'MergeJob', 'PowerShellJob', 'QueueReaderJob', 'TransactSqlJob']);
    assert.match(report.rules.find((r) => r.id === 'MergeJob')!.reason!, /SELECT permission was denied on the object 'sysjobs'/);
    assert.ok(fired(report).has('FileStream'));
  });

  test('a database name that is not on the server is a clear error', async () => {
    const server = await serve(bundledProfile('clean'));
    await assert.rejects(
      assessServer({ server: `127.0.0.1,${server.port}`, auth: { kind: 'sql', user: 'migrator', password }, trustServerCertificate: true }, { databases: ['Orders', 'Payroll'] }),
      (e: Error) => e instanceof AssessmentInputError && /no user database named "Payroll"\. Its user databases: Customers, Orders\./.test(e.message),
    );
  });

  test('a cancelled assessment stops promptly', async () => {
    const server = await serve(bundledProfile('default'), { latencyMs: 400 });
    const controller = new AbortController();
    let abortedAt = 0;
    const work = assessServer(
      { server: `127.0.0.1,${server.port}`, auth: { kind: 'sql', user: 'migrator', password }, trustServerCertificate: true },
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'probes' && !abortedAt) {
            abortedAt = performance.now();
            controller.abort();
          }
        },
      },
    );
    await assert.rejects(work, (e: Error) => e instanceof SourceError && e.kind === 'cancelled');
    const late = performance.now() - abortedAt;
    assert.ok(late < 300, `stopped ${late.toFixed(0)} ms after the abort`);
    assert.ok(server.stats.queryIds.length < 13, 'the remaining probes were never sent');
  });

  test('exports: JSON round-trips, CSV lists every database, HTML is self-contained and escaped', () => {
    const again = reportFromJson(reportToJson(defaultReport));
    assert.deepEqual(again, defaultReport);
    const csv = reportToCsv(defaultReport);
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines[0], 'Server,Database,Readiness,Rule,Category,Level,Title,Message,Impacted objects,Recommendation,Documentation');
    assert.ok(lines.some((l) => l.startsWith('SQLSRC01,Sales,ready,,')), 'a database without findings still has its row');
    assert.ok(lines.some((l) => l.startsWith('SQLSRC01,Warehouse,blocked,MultipleLogFiles,blocker,database,')));
    const html = reportToHtml(defaultReport);
    assert.match(html, /^<!doctype html>/);
    assert.doesNotMatch(html, /<script|<link|src=/i);
    assert.match(html, /CONTOSO\\SQL Admins/);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  });
});
