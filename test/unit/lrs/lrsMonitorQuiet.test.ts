/**
 * LrsMonitor's reads of instances without restores: every refresh by default; with quietEvery,
 * in turn, while one the user named, one with a restore and one with a watched restore are
 * listed every refresh; a restore that appears on a quiet instance is found within quietEvery.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InstanceRef, ManagedDatabase } from '../../../src/core/azure/lrs/models';
import { LrsMonitor, type LrsMonitorSource } from '../../../src/core/migration/lrsMonitor';

const mi = (name: string): InstanceRef => ({ subscriptionId: 's', resourceGroup: 'rg', managedInstance: name });
const restoring = (name: string): ManagedDatabase => ({ id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/managedInstances/x/databases/${name}`, name, properties: { status: 'Restoring' } });

function fakeAzure(databases: Map<string, ManagedDatabase[]>) {
  const listed: string[][] = [];
  let current: string[] = [];
  const source: LrsMonitorSource = {
    listDatabases: async (i, o) => {
      current.push(i.managedInstance);
      const dbs = (databases.get(i.managedInstance) ?? []).map((d) => ({ ...d, id: d.id!.replace('/x/', `/${i.managedInstance}/`) }));
      o.onPage?.(dbs);
      return dbs;
    },
    getRestoreDetails: async () => ({ properties: { status: 'Restoring' } }),
  };
  const refresh = async (m: LrsMonitor) => {
    current = [];
    await m.refresh();
    listed.push(current.sort());
  };
  return { source, listed, refresh };
}

test('by default every instance is listed every refresh', async () => {
  const azure = fakeAzure(new Map());
  const m = new LrsMonitor(azure.source, { instances: [mi('a'), mi('b')] });
  for (let i = 0; i < 3; i++) await azure.refresh(m);
  assert.deepEqual(azure.listed, [['a', 'b'], ['a', 'b'], ['a', 'b']]);
});

test('quiet instances in turn; named, busy and watched ones every refresh; a new restore found within quietEvery', async () => {
  const dbs = new Map<string, ManagedDatabase[]>([['busy', [restoring('Sales')]]]);
  const azure = fakeAzure(dbs);
  const instances = ['busy', 'named', 'q1', 'q2', 'q3', 'w'].map(mi);
  const m = new LrsMonitor(azure.source, { instances, quietEvery: 3, everyRefresh: [mi('named')] });
  m.watch('/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/managedInstances/w/databases/New');
  await azure.refresh(m);
  assert.deepEqual(azure.listed[0], ['busy', 'named', 'q1', 'q2', 'q3', 'w'], 'all at first: none is known quiet yet');
  for (let i = 0; i < 3; i++) await azure.refresh(m);
  for (const l of azure.listed.slice(1)) for (const always of ['busy', 'named', 'w']) assert.ok(l.includes(always), `${always} in ${l.join()}`);
  const quietReads = azure.listed.slice(1).flat().filter((n) => n.startsWith('q'));
  assert.deepEqual(quietReads.sort(), ['q1', 'q2', 'q3'], 'each quiet instance once in three refreshes');
  // A restore started on a quiet instance outside the editor.
  dbs.set('q2', [restoring('HR')]);
  for (let i = 0; i < 3; i++) await azure.refresh(m);
  assert.ok(m.snapshot().some((v) => v.ref.managedInstance === 'q2' && v.ref.targetDatabase === 'HR'), 'found within quietEvery refreshes');
  await azure.refresh(m);
  assert.ok(azure.listed.at(-1)!.includes('q2'), 'and listed every refresh from then on');
});
