/**
 * The wizard's host at estate scale: 2,000 databases, assessments kept for every database,
 * selections that work at any count and say what they left out, several target instances
 * filled by their tier's limit, problems counted by kind, and the webview sent what changed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AssessmentSummary, WizardServices } from '../../../src/extension/services/types';
import { issueTexts } from '../../../src/extension/wizard/validation';
import { appDatabase, connectedWizard, STORAGE, SUB, type TestHost, workingServices, type Recorded } from './wizardServices';

const RG = `${SUB}/resourceGroups/rg/providers/Microsoft.Sql/managedInstances`;
const GP_FULL = `${RG}/mi-gp`;
const NEXT_GEN = `${RG}/mi-nextgen`;
const BC = `${RG}/mi-bc`;

/** A server of `count` databases; every tenth is blocked, every seventh has issues. */
function scaleServices(count: number, rec: Recorded): WizardServices {
  const base = workingServices(rec);
  const verdict = (d: string): AssessmentSummary => {
    const i = Number(d.slice(3));
    if (i % 10 === 9) return { database: d, readiness: 'blocked', blockers: ['Recovery model SIMPLE: online migrations need FULL'], issues: [], warnings: [] };
    if (i % 7 === 0) return { database: d, readiness: 'issues', blockers: [], issues: ['BULK INSERT from a file'], warnings: [] };
    return { database: d, readiness: 'ready', blockers: [], issues: [], warnings: [] };
  };
  return {
    ...base,
    source: {
      ...base.source,
      connect: async () => ({ server: { serverName: 'SQLBIG01', version: '15.0' }, databases: Array.from({ length: count }, (_, i) => ({ name: appDatabase(i), sizeMb: 1000 + i, recoveryModel: 'FULL', state: 'ONLINE' })) }),
      assess: async (_c, _s, databases, _mode, _signal, onProgress) => {
        (rec.assessed ??= []).push([...databases]);
        onProgress('Reading the linked servers', 0.5);
        return { summaries: databases.map(verdict), instanceFindings: [], render: () => '' };
      },
    },
    targets: {
      availability: { available: true },
      listManagedInstances: async () => [
        { id: GP_FULL, name: 'mi-gp', resourceGroup: 'rg', location: 'westeurope', state: 'Ready', tier: 'GeneralPurpose', vCores: 8 },
        { id: NEXT_GEN, name: 'mi-nextgen', resourceGroup: 'rg', location: 'westeurope', state: 'Ready', tier: 'NextGenGeneralPurpose', vCores: 16 },
        { id: BC, name: 'mi-bc', resourceGroup: 'rg', location: 'westeurope', state: 'Ready', tier: 'BusinessCritical', vCores: 8 },
      ],
      // mi-gp already holds 95 databases.
      listDatabases: async (_a, id) => (id === GP_FULL ? Array.from({ length: 95 }, (_, i) => `Existing${i}`) : []),
    },
  };
}

async function setup(count: number) {
  const rec: Recorded = { passwordsSeen: [], started: [] };
  return { ...(await connectedWizard(scaleServices(count, rec))), rec };
}

/** Bytes of the messages posted since `from`. */
const bytesSince = (host: TestHost, from: number) => host.posted.slice(from).reduce((n, m) => n + JSON.stringify(m).length, 0);

test('2,000 databases: assess all, select all (the blocked ones are left out and it says so), and a toggle sends one small change', async () => {
  const { c, host, rec, send } = await setup(2000);
  assert.equal(c.current.source.databases.length, 2000);
  await send({ type: 'source.assess', scope: 'all' });
  assert.equal(rec.assessed![0]!.length, 2000, 'every database, nothing selected first');
  assert.equal(c.current.source.assessment.results.length, 2000);

  // Times are bench/editor-scale's to measure; here: select all is one change posted, not one per row.
  const beforeAll = host.posted.length;
  await send({ type: 'source.selectAll', which: 'all' });
  assert.equal(c.current.source.selected.length, 1800);
  assert.match(c.current.source.selectionNote!, /200 blocked databases were left out/);
  assert.equal(host.posted.length - beforeAll, 1, 'select all posts one message');

  await send({ type: 'source.selectAll', which: 'ready' });
  assert.equal(c.current.source.selected.length, 2000 - 200 - c.current.source.assessment.results.filter((r) => r.readiness === 'issues').length);
  await send({ type: 'source.selectAll', which: 'all' });

  // One row: one splice in two lists and the issues, never the whole state.
  const before = host.posted.length;
  await send({ type: 'source.toggle', names: ['App1000'], selected: false });
  assert.equal(c.current.source.selected.length, 1799);
  assert.equal(host.posted.length - before, 1);
  assert.equal(host.posted[before]!.type, 'patch');
  assert.ok(bytesSince(host, before) < 2000, `a toggle sent ${bytesSince(host, before)} bytes`);
  assert.deepEqual(host.views[host.views.length - 1], c.current, 'the webview holds the same state');

  // A blocked database cannot be toggled in, and the note says why.
  await send({ type: 'source.toggle', names: ['App0009'], selected: true });
  assert.ok(!c.current.source.selected.includes('App0009'));
  assert.match(c.current.source.selectionNote!, /1 blocked database was left out/);
});

test('Assess Again keeps every verdict: a blocked database stays blocked (and unselectable) until an assessment says otherwise', async () => {
  const { c, rec, send } = await setup(30);
  await send({ type: 'source.select', names: ['App0001', 'App0009', 'App0019'] });
  await send({ type: 'source.assess' });
  assert.deepEqual(c.current.source.selected, ['App0001'], 'the blocked ones left the selection');
  await send({ type: 'source.toggle', names: ['App0002'], selected: true });
  // Assess Again: the selected ones and every one assessed before, the blocked ones too.
  await send({ type: 'source.assess' });
  assert.deepEqual(rec.assessed![1], ['App0001', 'App0002', 'App0009', 'App0019']);
  const verdict = (n: string) => c.current.source.assessment.results.find((r) => r.database === n)?.readiness;
  assert.equal(verdict('App0009'), 'blocked');
  await send({ type: 'source.select', names: ['App0001', 'App0009'] });
  assert.deepEqual(c.current.source.selected, ['App0001']);
  // A later run of other databases does not forget them.
  await send({ type: 'source.select', names: ['App0003'] });
  c.receive({ type: 'source.assess', scope: 'selected' });
  await c.settled();
  assert.equal(verdict('App0019'), 'blocked');
  assert.equal(c.current.source.assessment.results.length, 5);
  assert.deepEqual(issueTexts(c.current), []);
});

test('several target instances: they fill in order up to their tier, counting what is on them; more than they hold is said, with the room', async () => {
  const { c, send } = await setup(600);
  await send({ type: 'source.assess', scope: 'all' });
  await send({ type: 'source.selectAll', which: 'all' });
  assert.equal(c.current.source.selected.length, 540);
  await send({ type: 'next' });
  assert.equal(c.current.step, 'target');
  await send({ type: 'target.selectSubscription', id: SUB });
  await send({ type: 'target.selectInstance', id: GP_FULL });
  assert.match(issueTexts(c.current).join('\n'), /540 databases are selected, but the chosen instances have room for 5 \(mi-gp \(General Purpose\) holds 100 and has 95\)/);
  await send({ type: 'target.addInstance', id: NEXT_GEN });
  assert.match(issueTexts(c.current).join('\n'), /room for 505/);
  await send({ type: 'target.addInstance', id: BC });
  assert.deepEqual(issueTexts(c.current), []);
  const placed = new Map<string, number>();
  for (const d of c.current.backups.databases) placed.set(d.instanceId!, (placed.get(d.instanceId!) ?? 0) + 1);
  assert.deepEqual([placed.get(GP_FULL), placed.get(NEXT_GEN), placed.get(BC)], [5, 500, 35]);
  // Taking one away puts its databases nowhere: the check says so again.
  await send({ type: 'target.removeInstance', id: NEXT_GEN });
  assert.match(issueTexts(c.current).join('\n'), /room for 105/);
  await send({ type: 'target.addInstance', id: NEXT_GEN });
  await send({ type: 'next' });
  await send({ type: 'next' }); // past the Server objects step: nothing chosen
  assert.equal(c.current.step, 'backups');

  // 540 databases without a folder: one kind of problem, counted, its first few named with their database.
  await send({ type: 'backups.update', patch: { storageAccountId: STORAGE } });
  const folders = c.current.issues.find((g) => g.kind === 'folder')!;
  assert.equal(folders.count, 540);
  assert.equal(folders.items.length, 5);
  assert.equal(folders.items[0]!.database, 'App0000');
  assert.match(folders.label, /folder/);
  // One container for all: each database its own folder in it.
  await send({ type: 'backups.useContainer', container: 'estate' });
  assert.equal(c.current.backups.databases[3]!.container, 'estate/App0003');
  assert.equal(c.current.issues.find((g) => g.kind === 'containerShared'), undefined);
});
