/**
 * A bulk cutover at scale: all at once by default (the last database is not down longer for
 * being last), the ends followed through the service's list rather than a GET each, and no
 * pile of abort listeners on the caller's signal.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HttpClient } from '@azure/core-rest-pipeline';
import { DmsClient, migrationRefFromId } from '../../../src/core/azure';
import { cancelMany, cutoverMany } from '../../../src/core/migration';
import { ScriptedHttp, testContext } from '../azure/scriptedHttp';
import { DMS_ID, migration, migrationId, readyDetails } from './fixtures';

function service(count: number) {
  const names = Array.from({ length: count }, (_, i) => `Db${String(i).padStart(3, '0')}`);
  const status = new Map(names.map((n) => [n, 'ReadyForCutover']));
  const cutAt = new Map<string, number>();
  let lists = 0;
  const http = new ScriptedHttp()
    .on('GET', /\/databaseMigrations\/[^/]+$/, (req) => {
      const db = req.url.pathname.split('/').pop()!;
      return { status: 200, body: migration(db, status.get(db), { details: readyDetails() }) };
    })
    .on('POST', /\/cutover$/, (req) => {
      const db = req.url.pathname.split('/').slice(-2)[0]!;
      status.set(db, 'Completing');
      cutAt.set(db, lists);
      return { status: 200 };
    })
    .on('GET', /\/listMigrations$/, () => {
      lists++;
      // A cutover takes two polls of the list to finish.
      for (const [db, at] of cutAt) if (lists - at >= 2) status.set(db, 'Succeeded');
      return { status: 200, body: { value: names.map((n) => ({ ...migration(n, status.get(n)), properties: { ...migration(n, status.get(n)).properties!, migrationService: DMS_ID } })) } };
    });
  return { http, names, cutAt, lists: () => lists };
}

test('50 cutovers: all accepted at once by default, their ends followed by listing the service, not by a GET each', async () => {
  const s = service(50);
  const dms = new DmsClient(testContext(s.http), { pollIntervalMs: 1 });
  const refs = s.names.map((n) => migrationRefFromId(migrationId(n)));
  const results = await cutoverMany(dms, refs, { pollIntervalMs: 5 });
  assert.ok(results.every((r) => r.outcome === 'completed'), JSON.stringify(results.filter((r) => r.outcome !== 'completed')));
  // Every cutover was sent before the service's list was first read: none waited for another's end.
  assert.ok([...s.cutAt.values()].every((at) => at === 0), 'all 50 cut over before the first wait');
  const gets = s.http.requests.filter((r) => r.method === 'GET' && /databaseMigrations/.test(r.url.pathname)).length;
  assert.equal(gets, 50, 'one fresh read each for the guard, none while waiting');
  assert.ok(s.lists() <= 5, `${s.lists()} lists`);
});

/** As Node's HTTP client does: an abort listener on the request's signal while its answer is pending. */
function listening(http: ScriptedHttp): HttpClient {
  return {
    async sendRequest(request) {
      const signal = request.abortSignal as AbortSignal | undefined;
      const onAbort = () => undefined;
      signal?.addEventListener('abort', onAbort);
      try {
        await new Promise((r) => setTimeout(r, 2));
        return await http.sendRequest(request);
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}

test('--concurrency 25 with a signal: no MaxListenersExceededWarning though 25 requests are in flight on it', async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  try {
    const s = service(60);
    const dms = new DmsClient({ ...testContext(s.http), httpClient: listening(s.http) }, { pollIntervalMs: 1 });
    const abort = new AbortController();
    const results = await cutoverMany(dms, s.names.map((n) => migrationRefFromId(migrationId(n))), { concurrency: 25, pollIntervalMs: 2, signal: abort.signal });
    assert.equal(results.filter((r) => r.outcome === 'completed').length, 60);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(warnings.map((w) => w.name), []);
  } finally {
    process.off('warning', onWarning);
  }
});

test('a bulk cancel at --concurrency 25 with a signal: no MaxListenersExceededWarning either', async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  try {
    const names = Array.from({ length: 40 }, (_, i) => `Db${String(i).padStart(3, '0')}`);
    const canceled = new Set<string>();
    const http = new ScriptedHttp()
      .on('GET', /\/databaseMigrations\/[^/]+$/, (req) => {
        const db = req.url.pathname.split('/').pop()!;
        return { status: 200, body: migration(db, canceled.has(db) ? 'Canceled' : 'InProgress') };
      })
      .on('POST', /\/cancel$/, (req) => {
        canceled.add(req.url.pathname.split('/').slice(-2)[0]!);
        return { status: 200 };
      });
    const dms = new DmsClient({ ...testContext(http), httpClient: listening(http) }, { pollIntervalMs: 1 });
    const abort = new AbortController();
    const results = await cancelMany(dms, names.map((n) => migrationRefFromId(migrationId(n))), { concurrency: 25, pollIntervalMs: 2, signal: abort.signal });
    assert.deepEqual(results.map((r) => r.outcome), names.map(() => 'done'));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(warnings.map((w) => w.name), []);
  } finally {
    process.off('warning', onWarning);
  }
});
