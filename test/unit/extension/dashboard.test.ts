import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { buildDashboard, fileStatusIcon, formatBytes, type ViewNode } from '../../../src/extension/dashboard/model';
import { ObservationLog } from '../../../src/extension/dashboard/observations';
import { statusBarContent, statusCounts } from '../../../src/extension/dashboard/statusBar';
import { coreRules, groupOf, statusOf } from '../../../src/extension/dashboard/statusRules';
import { detailsBody } from '../../../src/extension/dashboard/detailsView';
import { timelineSvg } from '../../../src/extension/dashboard/timeline';
import { migration, officialExample, readySales, set } from './fixtures';

const flat = (nodes: ViewNode[]): ViewNode[] => nodes.flatMap((n) => [n, ...flat(n.children ?? [])]);

test('migrations are grouped by status in a fixed order, empty groups left out', () => {
  const roots = buildDashboard(
    [migration('Zeta', 'Succeeded'), readySales(), migration('Hr', 'InProgress'), migration('Inv', 'Failed', {}, { migrationFailureError: { code: 'RestoreFailed', message: 'The log chain is broken.' } }),
      migration('Crm', 'Completing'), migration('Old', 'Canceled'), migration('Fresh', 'UploadingFullBackup'), migration('Future', 'SomethingNew')],
    coreRules,
  );
  assert.deepEqual(roots.map((g) => `${g.label} (${g.description})`), ['Ready for cutover (1)', 'In progress (3)', 'Completing (1)', 'Failed (1)', 'Succeeded (1)', 'Canceled (1)']);
  assert.deepEqual(roots[1]!.children!.map((c) => c.label), ['Fresh', 'Future', 'Hr']);
  assert.equal(roots.find((g) => g.id === 'group/succeeded')!.expanded, false);
  const failed = roots.find((g) => g.id === 'group/failed')!.children![0]!;
  assert.equal(failed.children![0]!.label, 'The log chain is broken. (RestoreFailed)');
});

test('a database shows status, pending log backups, sets in LSN order and files with status, size and reason', () => {
  const [group] = buildDashboard([readySales()], coreRules);
  const db = group!.children![0]!;
  assert.equal(db.label, 'Sales');
  assert.equal(db.description, 'ReadyForCutover · 1 log backup pending · mi-prod');
  assert.match(db.tooltip!, /Last restored file:\*\* Sales\\_LOG\\_002\\.trn/);
  // bigint ordering: 9000000000000000001 sorts after the 41... LSNs (a Number sort would not be exact).
  assert.deepEqual(db.children!.map((s) => `${s.label} ${s.description?.split(' · ')[0]}`), [
    'Log backup Ignored',
    'Full backup Restored',
    'Log backup Restored',
    'Log backup 9000000000000000001 – 9000000000000000002',
  ]);
  const files = flat([db]).filter((n) => n.kind === 'file');
  const ignored = files.find((f) => f.label === 'Old_LOG.trn')!;
  assert.equal(ignored.description, 'Ignored · 1.0 MB · The backup is older than the restored full backup.');
  assert.deepEqual(ignored.icon, { id: 'circle-slash', color: 'list.warningForeground' });
  assert.equal(files.find((f) => f.label === 'Sales_FULL.bak')!.description, 'Restored · 50 MB');
  assert.match(files.find((f) => f.label === 'Sales_LOG_003.trn')!.tooltip!, /LSN range: 9000000000000000001 – 9000000000000000002/);
});

test('file states (the core\'s) have icons and colours; a status the service adds later shows as it says it', () => {
  assert.deepEqual(fileStatusIcon('Restored'), { id: 'pass-filled', color: 'charts.green' });
  assert.deepEqual(fileStatusIcon('Restoring'), { id: 'sync~spin', color: 'charts.yellow' });
  assert.deepEqual(fileStatusIcon('Uploading'), { id: 'cloud-upload', color: 'charts.blue' });
  assert.deepEqual(fileStatusIcon('Uploaded'), { id: 'cloud', color: 'charts.blue' });
  assert.deepEqual(fileStatusIcon('Arrived'), { id: 'circle-large-outline', color: 'descriptionForeground' });
  assert.deepEqual(fileStatusIcon('Canceled'), { id: 'close', color: 'disabledForeground' });
  assert.equal(fileStatusIcon('Unknown').id, 'question');
  const [group] = buildDashboard([migration('Q', 'InProgress', { activeBackupSets: [set('TransactionLog', '5', '6', [['Q_LOG.trn', 'Quarantined'], ['Q_LOG2.trn', 'Cancelled']])] })], coreRules);
  const files = flat([group!]).filter((n) => n.kind === 'file');
  assert.deepEqual(files.map((f) => [f.description?.split(' · ')[0], f.icon?.id]), [['Quarantined', 'question'], ['Canceled', 'close']]);
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(5 * 1024 ** 3), '5.0 GB');
});

test('context values gate the menus: cutover only when online, restored and unblocked; delete only when finished', () => {
  const ctx = (m: ReturnType<typeof migration>) => buildDashboard([m], coreRules)[0]!.children![0]!.contextValue;
  assert.equal(ctx(readySales()), 'migration;canCutover;canCancel');
  assert.equal(ctx(migration('A', 'InProgress', { isFullBackupRestored: false })), 'migration;canCancel');
  assert.equal(ctx(migration('B', 'ReadyForCutover', { isFullBackupRestored: true, restoreBlockingReason: 'Log backup chain broken' })), 'migration;canCancel');
  assert.equal(ctx(migration('C', 'InProgress', { isFullBackupRestored: true }, { offlineConfiguration: { offline: true } })), 'migration;canCancel');
  assert.equal(ctx(migration('D', 'Succeeded')), 'migration;canDelete;canValidate');
  assert.equal(ctx(migration('E', 'Completing')), 'migration');
  // The menus' when-clauses match these values.
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  const when = (cmd: string) => pkg.contributes.menus['view/item/context'].find((m: { command: string }) => m.command === cmd).when as string;
  const regex = (w: string) => new RegExp(/viewItem =~ \/(.*)\//.exec(w)![1]!);
  assert.ok(regex(when('sqlMigration.completeCutover')).test('migration;canCutover;canCancel'));
  assert.ok(!regex(when('sqlMigration.completeCutover')).test('migration;canCancel'));
  assert.ok(regex(when('sqlMigration.deleteMigration')).test('migration;canDelete'));
  assert.ok(!regex(when('sqlMigration.deleteMigration')).test('backupFile;restored'));
  assert.ok(regex(when('sqlMigration.validateMigration')).test('migration;canDelete;canValidate'));
  assert.ok(regex(when('sqlMigration.validateMigration')).test('lrsRestore;canValidate'));
  assert.ok(!regex(when('sqlMigration.validateMigration')).test('migration;canCancel'));
});

test('status falls back to provisioning state; unknown statuses count as in progress', () => {
  assert.equal(statusOf({ id: 'x', properties: { provisioningState: 'Provisioning' } }), 'Creating');
  assert.equal(statusOf({ id: 'x', properties: { provisioningState: 'Failed' } }), 'Failed');
  assert.equal(groupOf('Cancelled'), 'canceled');
  assert.equal(groupOf('Retriable'), 'inProgress');
});

test('the official example renders without errors', (t) => {
  const example = officialExample();
  if (!example) return t.skip('../shared/reference is not present');
  const [group] = buildDashboard([example], coreRules);
  assert.equal(group!.label, 'In progress');
  const db = group!.children![0]!;
  assert.equal(db.label, 'db1');
  // The example's scope (the target) and id disagree on the instance name; the scope wins.
  assert.match(db.description!, /^InProgress · 0 log backups pending · managedInstance1/);
  assert.equal(db.children![0]!.label, 'No backup files reported yet');
});

test('the status bar counts what runs, waits for cutover and failed; it hides when nothing does', () => {
  const all = [migration('A', 'ReadyForCutover'), readySales(), migration('B', 'Failed'), migration('C', 'Completing'), migration('D', 'UploadingLogBackup'), migration('E', 'Succeeded')];
  const c = statusCounts(all);
  assert.deepEqual(c, { ready: 2, running: 2, failed: 1 });
  assert.deepEqual(statusBarContent(c), {
    text: '$(sync) 2  $(bell-dot) 2  $(error) 1',
    tooltip: 'Azure SQL Migration\n2 in progress\n2 ready for cutover\n1 failed',
    opensCutover: true,
    failed: true,
  });
  assert.equal(statusBarContent(statusCounts([migration('E', 'Succeeded')])), undefined);
});

test('the observation log and the timeline picture', () => {
  const log = new ObservationLog();
  const t0 = new Date('2026-11-01T09:00:00Z');
  const m1 = migration('S', 'InProgress', { activeBackupSets: [set('Database', '1', '2', [['S_FULL.bak', 'Uploading']]), set('TransactionLog', '2', '3', [['S<&>.trn', 'Arrived']])] });
  log.record([m1], t0);
  const m2 = migration('S', 'InProgress', { activeBackupSets: [set('Database', '1', '2', [['S_FULL.bak', 'Restored']]), set('TransactionLog', '2', '3', [['S<&>.trn', 'Restoring']])] });
  log.record([m2], new Date(t0.getTime() + 60_000));
  log.record([m2], new Date(t0.getTime() + 120_000)); // no change: first sightings are kept
  const h = log.history(m1.id);
  assert.equal(h.length, 2);
  assert.equal(h[0]!.seen.get('Restored')!.toISOString(), '2026-11-01T09:01:00.000Z');
  const svg = timelineSvg(h, { now: new Date(t0.getTime() + 180_000) })!;
  assert.match(svg, /^<svg[^>]+role="img"/);
  assert.match(svg, /S&lt;&amp;&gt;\.trn/);
  assert.doesNotMatch(svg, /<script|S<&>/);
  assert.equal((svg.match(/class="restored"/g) ?? []).length, 1);
  assert.equal(timelineSvg([], { now: t0 }), undefined);
  const body = detailsBody(m2, h, new Date(t0.getTime() + 180_000));
  assert.match(body, /<h1>S<\/h1>/);
  assert.match(body, /Restore timeline/);
  assert.match(body, /<td>S&lt;&amp;&gt;\.trn<\/td>/);
});
