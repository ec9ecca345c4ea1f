/**
 * What an assessment of 1,000 databases costs the editor's window, on a simulated clock: its
 * progress reaches the webview a few times a second (not once per probe, nor ten times a
 * second), and nothing is written to the store while only the progress changes. Every verdict
 * still arrives.
 */
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import type { AssessmentSummary, WizardServices } from '../../../src/extension/services/types';
import { ASSESSMENT_PROGRESS_INTERVAL_MS } from '../../../src/extension/wizard/steps/source';
import type { HostMessage } from '../../../src/protocol/wizard';
import { appDatabase, connectedWizard, MemoryStore, workingServices, type Recorded } from './wizardServices';

const DATABASES = 1000;
/** Simulated ms between two progress reports of the core (one per database here; the real one reports each probe). */
const REPORT_EVERY_MS = 5;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** Every tenth database is blocked. The assessment reports progress per database as the simulated clock runs. */
function services(rec: Recorded, during: { writes?: number }, store: MemoryStore): WizardServices {
  const base = workingServices(rec);
  const verdict = (d: string): AssessmentSummary =>
    Number(d.slice(3)) % 10 === 9
      ? { database: d, readiness: 'blocked', blockers: ['Recovery model SIMPLE: online migrations need FULL'], issues: [], warnings: [] }
      : { database: d, readiness: 'ready', blockers: [], issues: [], warnings: [] };
  return {
    ...base,
    source: {
      ...base.source,
      connect: async () => ({ server: { serverName: 'SQLBIG01', version: '15.0' }, databases: Array.from({ length: DATABASES }, (_, i) => ({ name: appDatabase(i), sizeMb: 100, recoveryModel: 'FULL', state: 'ONLINE' })) }),
      assess: async (_c, _s, databases, _mode, _signal, onProgress) => {
        const writesBefore = store.writes.length;
        for (let i = 0; i < databases.length; i++) {
          onProgress(`Assessing ${databases[i]}`, i / databases.length);
          mock.timers.tick(REPORT_EVERY_MS);
          await nextTurn();
        }
        during.writes = store.writes.length - writesBefore;
        return { summaries: databases.map(verdict), instanceFindings: [], render: () => '' };
      },
    },
  };
}

async function connected() {
  const rec: Recorded = { passwordsSeen: [], started: [] };
  const store = new MemoryStore();
  const during: { writes?: number } = {};
  return { ...(await connectedWizard(services(rec, during, store), store)), store, during };
}

const touchesProgress = (m: HostMessage) => m.type === 'patch' && m.ops.some((o) => o.path.join('.') === 'source.assessment.progress');

test('assessing 1,000 databases: a few progress messages a second, no save while only the progress changes, every verdict kept', async (t) => {
  const { c, host, store, during, send } = await connected();
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.now() });
  t.after(() => mock.timers.reset());
  const from = host.posted.length;
  const writes = store.writes.length;
  await send({ type: 'source.assess', scope: 'all' });

  const simulatedMs = DATABASES * REPORT_EVERY_MS;
  const progressMessages = host.posted.slice(from).filter(touchesProgress).length;
  assert.ok(progressMessages >= simulatedMs / ASSESSMENT_PROGRESS_INTERVAL_MS / 2, `only ${progressMessages} progress messages in ${simulatedMs} ms`);
  assert.ok(progressMessages <= simulatedMs / ASSESSMENT_PROGRESS_INTERVAL_MS + 2, `${progressMessages} progress messages in ${simulatedMs} ms`);
  // The last one shown is recent: a burst's latest report is passed on when its interval ends.
  const shown = host.views.filter((v) => v.source.assessment.progress !== undefined).map((v) => v.source.assessment.progress!);
  assert.ok(shown[shown.length - 1]! >= 1 - ASSESSMENT_PROGRESS_INTERVAL_MS / simulatedMs - 0.01, `the last progress shown was ${shown[shown.length - 1]}`);

  assert.equal(during.writes, 0, 'the store was written while only the progress changed');
  assert.equal(store.writes.length - writes, 1, 'the verdicts are saved once');
  const a = c.current.source.assessment;
  assert.equal(a.results.length, DATABASES);
  assert.equal(a.results.filter((r) => r.readiness === 'blocked').length, DATABASES / 10);
  assert.equal(a.op.status, 'done');
  assert.equal(a.progress, undefined);
  assert.deepEqual(host.views[host.views.length - 1], c.current, 'the webview holds the same state');
});
