/**
 * The chat agent's tools, called the way the editor calls them: registered through a stand-in
 * of `vscode.lm.registerTool`, then prepareInvocation (whose confirmation the editor shows) and
 * invoke with the model's input. Cutover and cancel always ask; they refuse unless the guard
 * allows when they run; every input is validated; outputs are short text. Where the editor has
 * no such API (VS Code 1.82, Azure Data Studio) nothing is registered.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sampleChain, writeChain } from '../../../sandbox/backups/sampleChain';
import type { AssessmentReport } from '../../../src/core/assessment/report';
import type { FleetReport } from '../../../src/core/assessment/fleetReport';
import type { DatabaseMigrationJson } from '../../../src/extension/dashboard/dmsShape';
import { coreRules } from '../../../src/extension/dashboard/statusRules';
import { ActionableError } from '../../../src/extension/errors';
import { Redactor } from '../../../src/extension/redact';
import type { CutoverGuard, MigrationOperations } from '../../../src/extension/services/types';
import { Schemas } from '../../../src/extension/tools/definitions';
import type { LanguageModelToolLike, PreparedToolInvocation } from '../../../src/extension/tools/lm';
import { registerTools, TOOL_NAMES } from '../../../src/extension/tools/register';
import { tempDir } from '../../support/tmp';
import { migration, readySales, set } from './fixtures';

class LanguageModelTextPart {
  constructor(readonly value: string) {}
}
class LanguageModelToolResult {
  constructor(readonly content: unknown[]) {}
}

const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };

/** The editor's side: what registerTool received, and a call as agent mode makes it. */
function editor() {
  const tools = new Map<string, LanguageModelToolLike<unknown>>();
  const vscode = {
    lm: { registerTool: (name: string, tool: LanguageModelToolLike<unknown>) => (tools.set(name, tool), { dispose: () => tools.delete(name) }) },
    LanguageModelToolResult,
    LanguageModelTextPart,
  };
  async function call(name: string, input: unknown, answer: 'confirm' | 'decline' = 'confirm'): Promise<{ prepared?: PreparedToolInvocation; text?: string; declined?: boolean }> {
    const tool = tools.get(name);
    assert.ok(tool, `${name} registered`);
    const prepared = (await tool.prepareInvocation?.({ input }, token)) ?? undefined;
    if (prepared?.confirmationMessages && answer === 'decline') return { prepared, declined: true };
    const result = (await tool.invoke({ input, toolInvocationToken: undefined }, token)) as LanguageModelToolResult;
    return { ...(prepared && { prepared }), text: result.content.map((p) => (p as LanguageModelTextPart).value).join('') };
  }
  return { vscode, tools, call };
}

const hr = () => migration('HR', 'InProgress', {
  isFullBackupRestored: true,
  lastRestoredFilename: 'HR_FULL.bak',
  pendingLogBackupsCount: 2,
  fullBackupSetInfo: set('Database', '100', '200', [['HR_FULL.bak', 'Restored']]),
  activeBackupSets: [set('TransactionLog', '200', '300', [['HR_LOG_1.trn', 'Restoring']]), set('TransactionLog', '300', '400', [['HR_LOG_2.trn', 'Uploaded']])],
});
const done = () => migration('Archive', 'Succeeded', { isFullBackupRestored: true, lastRestoredFilename: 'A.bak' });

function backend(migrations: DatabaseMigrationJson[], guard: (m: DatabaseMigrationJson) => CutoverGuard | Error) {
  const calls: string[] = [];
  const operations: MigrationOperations = {
    availability: { available: true },
    async guardCutover(m) {
      calls.push(`guard ${m.name}`);
      const g = guard(m);
      if (g instanceof Error) throw g;
      return g;
    },
    async cutover(m, _s, options) {
      calls.push(`cutover ${m.name}${options?.acceptNotReady ? ` (${options.acceptNotReady})` : ''}`);
      options?.onStatus?.('Succeeded');
    },
    async cancel(m) {
      calls.push(`cancel ${m.name}`);
    },
    async delete(m) {
      calls.push(`delete ${m.name}`);
    },
  };
  const log: string[] = [];
  const e = editor();
  const disposables = registerTools(e.vscode, {
    feed: { availability: { available: true }, list: async () => migrations },
    operations,
    rules: coreRules,
    log: { info: (m) => log.push(m), warn: (m) => log.push(`warn ${m}`) },
    redactor: new Redactor(),
    afterChange: () => calls.push('views refreshed'),
  });
  return { ...e, calls, log, disposables };
}

test('registered only where the editor has the API: nothing in VS Code 1.82 or Azure Data Studio, nothing half-way', () => {
  assert.deepEqual(registerTools({ commands: {} }, {} as never), []);
  assert.deepEqual(registerTools({ lm: {} }, {} as never), [], 'lm without registerTool');
  assert.deepEqual(registerTools({ lm: { registerTool: () => ({ dispose() {} }) } }, {} as never), [], 'no LanguageModelToolResult class');
  const b = backend([], () => new Error('unused'));
  assert.deepEqual([...b.tools.keys()], [...TOOL_NAMES]);
  for (const d of b.disposables) d.dispose();
  assert.equal(b.tools.size, 0, 'disposing unregisters');
});

test('the manifest contributes exactly these tools, each input schema the one the code checks', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { languageModelTools: { name: string; inputSchema: { properties: Record<string, unknown>; required?: string[] }; modelDescription: string }[] } };
  const contributed = pkg.contributes.languageModelTools;
  assert.deepEqual(contributed.map((t) => t.name), [...TOOL_NAMES]);
  for (const t of contributed) {
    const schema = Schemas[t.name as keyof typeof Schemas];
    assert.deepEqual(Object.keys(t.inputSchema.properties).sort(), Object.keys(schema.entries).sort(), t.name);
    const required = Object.entries(schema.entries).filter(([, s]) => (s as { type: string }).type !== 'optional').map(([k]) => k);
    assert.deepEqual((t.inputSchema.required ?? []).sort(), required.sort(), `${t.name} required`);
    assert.ok(!/^(copilot|vscode)_/.test(t.name) && t.modelDescription.length > 80, t.name);
  }
});

test('list migrations: one short line each, filtered by status group or database', async () => {
  const b = backend([readySales(), hr(), done()], () => new Error('unused'));
  const all = await b.call('sqlmig_list_migrations', {});
  assert.equal(all.prepared?.confirmationMessages, undefined, 'read-only: nothing to confirm');
  assert.equal(all.text, [
    '3 migrations (2 can be cut over now):',
    '- Sales on mi-prod: ReadyForCutover; online; 1 log backup pending',
    '- HR on mi-prod: InProgress; online; 2 log backups pending',
    '- Archive on mi-prod: Succeeded; online',
  ].join('\n'));
  assert.match((await b.call('sqlmig_list_migrations', { status: 'ready' })).text!, /^1 migrations .*\n- Sales/);
  assert.equal((await b.call('sqlmig_list_migrations', { database: 'nothing' })).text, 'No migrations match.');
  assert.match((await b.call('sqlmig_list_migrations', { limit: 1 })).text!, /\.\.\. and 2 more/);
  await assert.rejects(b.call('sqlmig_list_migrations', { status: 'everything' }), /Invalid input for sqlmig_list_migrations: status: /);
  await assert.rejects(b.call('sqlmig_list_migrations', { limit: 0 }), /limit/);
  await assert.rejects(b.call('sqlmig_list_migrations', { extra: 1 }), /Invalid input/);
});

test('explain cutover: ready, not ready with the guard\'s reasons, and the last listing when a fresh read fails', async () => {
  const b = backend([readySales(), hr()], (m) =>
    m.name === 'Sales' ? { migration: m, warnings: ['the share is read by the runtime'] }
      : m.name === 'HR' ? new ActionableError('HR_LOG_1.trn (log backup) is restoring, not restored yet; HR_LOG_2.trn (log backup) is uploaded, not restored yet', 'wait')
        : new Error('unused'),
  );
  assert.equal((await b.call('sqlmig_explain_cutover', { migration: 'sales' })).text, [
    'Sales on mi-prod: ReadyForCutover. Ready for cutover: every backup is restored and none is pending.',
    'Not checked from here: the share is read by the runtime',
    'Before cutover: stop writes to the source, take the tail-log backup into the backup location and wait until it is restored.',
  ].join('\n'));
  assert.equal((await b.call('sqlmig_explain_cutover', { migration: 'HR', instance: 'MI-PROD' })).text,
    'HR on mi-prod: InProgress. Not ready for cutover: HR_LOG_1.trn (log backup) is restoring, not restored yet; HR_LOG_2.trn (log backup) is uploaded, not restored yet');
  await assert.rejects(b.call('sqlmig_explain_cutover', { migration: 'Payroll' }), /No migration matches "Payroll"\. Migrations: Sales on mi-prod, HR on mi-prod\./);
  await assert.rejects(b.call('sqlmig_explain_cutover', {}), /Invalid input for sqlmig_explain_cutover: migration/);

  const offline = backend([hr()], () => Object.assign(new Error('getaddrinfo ENOTFOUND management.azure.com'), { code: 'ENOTFOUND' }));
  assert.match((await offline.call('sqlmig_explain_cutover', { migration: 'HR' })).text!, /^HR on mi-prod: InProgress\. Could not read it fresh \(.*ENOTFOUND.*\); the last listing says: /);
});

test('complete cutover: always confirmed first, refused unless the guard allows when it runs', async () => {
  let allow = true;
  const b = backend([readySales(), hr()], (m) => (allow ? { migration: m } : new ActionableError('Sales_LOG_004.trn in the blob folder continues the chain past the last restored LSN', 'wait')));
  const declined = await b.call('sqlmig_complete_cutover', { migration: 'Sales' }, 'decline');
  assert.equal(declined.prepared?.confirmationMessages?.title, 'Complete the cutover of Sales on mi-prod?');
  assert.match(declined.prepared!.confirmationMessages!.message, /Every backup is restored.*tail-log backup.*may result in data loss/s);
  assert.deepEqual(b.calls, ['guard Sales'], 'declined: nothing done');

  const ok = await b.call('sqlmig_complete_cutover', { migration: 'Sales' });
  assert.equal(ok.text, 'Cutover of Sales on mi-prod completed: the service says Succeeded. The database is online on the target.');
  assert.deepEqual(b.calls.slice(1), ['guard Sales', 'guard Sales', 'cutover Sales', 'views refreshed'], 'the guard at confirmation and again when it runs');

  // Confirmed while allowed, then something arrived in the location: refused when it runs.
  b.calls.length = 0;
  const tool = b.tools.get('sqlmig_complete_cutover')!;
  await tool.prepareInvocation!({ input: { migration: 'Sales' } }, token);
  allow = false;
  await assert.rejects(tool.invoke({ input: { migration: 'Sales' } }, token), /^Error: Refused: Sales_LOG_004\.trn in the blob folder continues the chain/);
  assert.ok(!b.calls.some((c) => c.startsWith('cutover')));

  // A confirmation that said the guard refuses still asks; the run is refused.
  const refusedAtPrepare = await b.call('sqlmig_complete_cutover', { migration: 'Sales' }, 'decline');
  assert.match(refusedAtPrepare.prepared!.confirmationMessages!.message, /The cutover guard refuses now \(Sales_LOG_004/);
  // Invoked without a confirmation for the migration's current state (no prepareInvocation): refused.
  allow = true;
  await assert.rejects(tool.invoke({ input: { migration: 'HR' } }, token), /was not confirmed with its current state/);
  assert.ok(!b.calls.some((c) => c.startsWith('cutover')));
});

test('complete cutover: the not-ready override only when the confirmation said so', async () => {
  const why = 'the service does not say ReadyForCutover yet (InProgress), but every backup is restored and none is pending';
  const b = backend([hr()], (m) => ({ migration: m, notReadyOnly: why }));
  const r = await b.call('sqlmig_complete_cutover', { migration: 'HR' });
  assert.match(r.prepared!.confirmationMessages!.message, /does not say ReadyForCutover yet/);
  assert.deepEqual(b.calls.slice(-2), [`cutover HR (confirmed in chat: ${why})`, 'views refreshed']);
});

test('cancel: always confirmed first; refused for a migration that cannot be canceled', async () => {
  const b = backend([hr(), done()], () => new Error('unused'));
  const declined = await b.call('sqlmig_cancel_migration', { migration: 'HR' }, 'decline');
  assert.equal(declined.prepared?.confirmationMessages?.title, 'Cancel the migration of HR on mi-prod?');
  assert.match(declined.prepared!.confirmationMessages!.message, /It is InProgress\.\n\nThe restore stops and the partly restored database is removed from the target\. The source is not changed\./);
  assert.deepEqual(b.calls, []);
  assert.equal((await b.call('sqlmig_cancel_migration', { migration: 'HR' })).text, 'The migration of HR on mi-prod is canceled.');
  assert.deepEqual(b.calls, ['cancel HR', 'views refreshed']);
  const finished = b.call('sqlmig_cancel_migration', { migration: 'Archive' });
  await assert.rejects(finished, /Refused: Archive on mi-prod cannot be canceled/);
  assert.deepEqual(b.calls, ['cancel HR', 'views refreshed']);
});

test('scan a backup folder: each database\'s restore chain, ready or not, from the headers', async () => {
  const dir = tempDir('sqlmig-tool-scan-');
  await writeChain(join(dir, 'Sales'), sampleChain({ databaseName: 'Sales', logs: 2 }));
  writeFileSync(join(dir, 'notes.txt'), 'not a backup');
  const b = backend([], () => new Error('unused'));
  const r = await b.call('sqlmig_scan_backups', { folder: dir });
  assert.equal(r.prepared?.confirmationMessages, undefined);
  assert.match(r.text!, new RegExp(`^4 files read under ${dir.replace(/[/\\.]/g, '\\$&')} \\(1 not backups\\)\\.\\n- Sales: READY; 1 full, 0 differential, 2 log backups in the chain, restores to LSN \\d+; 0 files left out$`));
  assert.match((await b.call('sqlmig_scan_backups', { folder: dir, database: 'HR' })).text!, /\n- HR: NOT READY; .*\n  problem: no backup of database HR among the 4 files scanned \(found: Sales\)$/);
  await assert.rejects(b.call('sqlmig_scan_backups', { folder: 'relative/path' }), /folder: must be an absolute path/);
  await assert.rejects(b.call('sqlmig_scan_backups', { folder: join(dir, 'missing') }), /Cannot read .*missing: no such file or folder/);
});

const report: AssessmentReport = {
  format: 'sqlmig-assessment', formatVersion: 1, createdAt: '2026-11-01T00:00:00Z', durationMs: 1, roundTrips: 5,
  tool: { name: 'sqlmig', version: 'dev' },
  server: { name: 'SQL01', address: 'sql01', productName: 'SQL Server 2019', productVersion: '15.0.4298.1', productLevel: 'CU', edition: 'Enterprise Edition (64-bit)', hostPlatform: 'Windows' },
  target: { platform: 'AzureSqlManagedInstance', tier: 'general-purpose', tierName: 'General Purpose', mode: 'online', limitsVersion: '2026-03-10' },
  summary: { databases: 2, ready: 1, issues: 0, blocked: 1, blockers: 1, issueCount: 0, warnings: 0 },
  instanceFindings: [],
  databases: [
    { name: 'Sales', state: 'ONLINE', sizeMb: 1, recoveryModel: 'FULL', compatibilityLevel: 150, readiness: 'ready', counts: { blocker: 0, issue: 0, warning: 0 }, findings: [] },
    {
      name: 'Docs', state: 'ONLINE', sizeMb: 1, recoveryModel: 'FULL', compatibilityLevel: 150, readiness: 'blocked', counts: { blocker: 1, issue: 0, warning: 0 },
      findings: [{ ruleId: 'FileStream', title: 'FILESTREAM', category: 'blocker', level: 'database', origin: 'managed-instance-rule', database: 'Docs', message: 'FILESTREAM filegroup', objects: [], recommendation: 'r', docs: 'd' }],
    },
  ],
  rules: [],
};

test('summarize an assessment report: one server, or several, in a few lines', async () => {
  const dir = tempDir('sqlmig-tool-report-');
  writeFileSync(join(dir, 'one.json'), JSON.stringify(report));
  const fleet: FleetReport = {
    format: 'sqlmig-assessment-fleet', formatVersion: 1, createdAt: '2026-11-01T00:00:00Z', durationMs: 2, tool: { name: 'sqlmig', version: 'dev' }, target: report.target,
    summary: { servers: 2, assessed: 1, failed: 1, databases: 2, ready: 1, issues: 0, blocked: 1, blockers: 1, issueCount: 0, warnings: 0 },
    servers: [{ address: 'sql01', report }, { address: 'sql02,1433', error: { kind: 'unreachable', message: 'sql02 did not answer' } }],
  };
  writeFileSync(join(dir, 'fleet.json'), JSON.stringify(fleet));
  writeFileSync(join(dir, 'other.json'), '{"format":"something"}');
  const b = backend([], () => new Error('unused'));
  assert.equal((await b.call('sqlmig_summarize_assessment', { path: join(dir, 'one.json') })).text, [
    'SQL01 (SQL Server 2019 15.0.4298.1, Enterprise Edition (64-bit)) -> General Purpose, online: 2 databases: 1 ready, 0 with issues, 1 blocked',
    '  Docs: BLOCKED - FileStream (blocker)',
  ].join('\n'));
  assert.equal((await b.call('sqlmig_summarize_assessment', { path: join(dir, 'fleet.json') })).text, [
    '2 servers (1 assessed, 1 not), 2 databases: 1 ready, 0 with issues, 1 blocked.',
    '- SQL01 (SQL Server 2019 15.0.4298.1, Enterprise Edition (64-bit)) -> General Purpose, online: 2 databases: 1 ready, 0 with issues, 1 blocked',
    '-   Docs: BLOCKED - FileStream (blocker)',
    '- sql02,1433: not assessed (sql02 did not answer)',
  ].join('\n'));
  await assert.rejects(b.call('sqlmig_summarize_assessment', { path: join(dir, 'other.json') }), /is not a sqlmig assessment report: format should be "sqlmig-assessment"/);
});

test('what reaches the model is masked: a known secret never appears in a result or an error', async () => {
  const secret = 'sv=2026-01-01&sig=abcdefghijklmnopqrstuvwxyz0123456789';
  const redactor = new Redactor();
  redactor.add(secret);
  const e = editor();
  registerTools(e.vscode, {
    feed: { availability: { available: true }, list: async () => { throw new Error(`GET https://acct.blob.core.windows.net/c?${secret} failed`); } },
    operations: {} as MigrationOperations,
    rules: coreRules,
    log: { info() {}, warn() {} },
    redactor,
  });
  await assert.rejects(e.call('sqlmig_list_migrations', {}), (err: Error) => !err.message.includes(secret) && /failed/.test(err.message));
});
