/** The target step's recommendation: from performance data, a warning on an instance that lacks the tier or the size; without data, how to collect it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KNOWN_CLOUDS } from '../../../src/core/azure/cloud';
import { recommendSku } from '../../../src/core/sku/recommend';
import { Redactor } from '../../../src/extension/redact';
import type { WizardServices } from '../../../src/extension/services/types';
import { WizardController } from '../../../src/extension/wizard/controller';
import { handSeries, ramp } from '../sku/series';
import { MemoryLog, MemorySecrets, MemoryStore, MI_READY, SUB, TestHost, workingServices, type Recorded } from './wizardServices';

const MI_BC = MI_READY.replace(/mi-ready$/, 'mi-bc');

/** Sales uses In-Memory OLTP: only Business Critical holds it. */
function services(calls: { folder: string; databases: string[] }[]): WizardServices {
  const base = workingServices({ passwordsSeen: [], started: [] } satisfies Recorded);
  return {
    ...base,
    targets: {
      ...base.targets,
      listManagedInstances: async () => [
        { id: MI_READY, name: 'mi-ready', resourceGroup: 'rg', location: 'westeurope', state: 'Ready', tier: 'GeneralPurpose', vCores: 8 },
        { id: MI_BC, name: 'mi-bc', resourceGroup: 'rg', location: 'westeurope', state: 'Ready', tier: 'BusinessCritical', vCores: 4 },
      ],
    },
    sizing: {
      availability: { available: true },
      recommend: async (folder, databases) => {
        calls.push({ folder, databases });
        return recommendSku(handSeries({ vCores: ramp(20, 0.1), databases: [{ name: 'Sales', memoryOptimized: true, files: [{ name: 'Sales', sizeGb: 50 }, { name: 'Sales_log', type: 'LOG', sizeGb: 10 }] }] }), { databases });
      },
    },
  };
}

function setup(s: WizardServices, store = new MemoryStore()) {
  const host = new TestHost();
  const c = new WizardController({ services: s, host, store, secretStore: new MemorySecrets(), log: new MemoryLog(), redactor: new Redactor(), clouds: [...KNOWN_CLOUDS], defaultCloud: 'AzureCloud' });
  const send = async (m: unknown) => {
    c.receive(m);
    await c.settled();
  };
  return { c, host, send };
}

async function toTarget(send: (m: unknown) => Promise<void>) {
  await send({ type: 'account.signIn' });
  await send({ type: 'next' });
  await send({ type: 'source.update', patch: { server: 'sql01', userName: 'migrator' } });
  await send({ type: 'source.password', value: 'pw-sizing' });
  await send({ type: 'source.connect' });
  await send({ type: 'source.select', names: ['Sales'] });
  await send({ type: 'source.assess' });
  await send({ type: 'next' });
  await send({ type: 'target.selectSubscription', id: SUB });
}

test('performance data: the recommended tier and size, and a warning on a General Purpose instance for In-Memory OLTP that goes with a Business Critical one', async () => {
  const calls: { folder: string; databases: string[] }[] = [];
  const store = new MemoryStore();
  const { c, host, send } = setup(services(calls), store);
  await toTarget(send);
  assert.equal(c.current.target.sizing, undefined, 'no data, no numbers');
  host.folders.push('/data/perf-sql01');
  await send({ type: 'target.useSizingData' });
  assert.deepEqual(calls, [{ folder: '/data/perf-sql01', databases: ['Sales'] }]);
  const z = c.current.target.sizing!;
  assert.match(z.recommended!, /^Business Critical, .*4 vCores/);
  assert.deepEqual(z.warnings, []);

  await send({ type: 'target.selectInstance', id: MI_READY });
  const [w] = c.current.target.sizing!.warnings;
  assert.equal(w?.instanceId, MI_READY);
  assert.match(w!.text, /mi-ready is General Purpose, which cannot hold this workload at any size: In-Memory OLTP.*choose a Business Critical instance/);
  assert.equal(c.current.issues.length, 0, 'a warning, never a block');
  const shown = host.views.at(-1)!;
  assert.deepEqual(shown.target.sizing, c.current.target.sizing, 'the webview has it');

  await send({ type: 'target.selectInstance', id: MI_BC });
  assert.deepEqual(c.current.target.sizing!.warnings, []);

  // Reopened: the recommendation is made again from the saved folder, and the check with it.
  await send({ type: 'target.selectInstance', id: MI_READY });
  c.dispose();
  const again = setup(services(calls), store);
  await again.c.settled();
  await again.send({ type: 'source.password', value: 'pw-sizing' });
  await again.send({ type: 'next' });
  assert.equal(again.c.current.step, 'target');
  assert.equal(calls.length, 2);
  assert.match(again.c.current.target.sizing!.warnings[0]!.text, /mi-ready is General Purpose/);
});
