/**
 * Performance collection against the sandbox SQL Server, whose counters follow a daily curve on a
 * clock the test moves: one batch per sample, resumable into the same folder, shareable files,
 * and a recommendation from what was collected.
 */
import assert from 'node:assert/strict';
import { appendFile, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { bundledProfile, startTdsServer, type RunningTdsServer } from '../../../sandbox/tds';
import { collectPerformance, openSeries, readCollection, seriesOfCollection } from '../../../src/core/perf';
import { recommendSku } from '../../../src/core/sku';
import { connectSource, type SourceConnection } from '../../../src/core/source';
import { tempDir } from '../../support/tmp';
import { testClock } from './support';

const password = randomBytes(12).toString('base64url');
// 13:50 UTC: the run spans the daily peak (14:00).
const clock = testClock('2026-11-03T13:50:00Z');
let server: RunningTdsServer;
let conn: SourceConnection;

before(async () => {
  server = await startTdsServer({ profile: bundledProfile('default'), logins: [{ user: 'collector', password }], now: clock.now });
  conn = await connectSource({ server: `127.0.0.1,${server.port}`, auth: { kind: 'sql', user: 'collector', password }, trustServerCertificate: true });
});
after(async () => {
  await conn?.close();
  await server?.stop();
});

test('ten minutes at 30 s: 21 samples, one batch each, in a folder without secrets', async () => {
  const folder = tempDir('sqlmig-perf-');
  const seen: number[] = [];
  server.stats.queryIds.length = 0;
  const result = await collectPerformance(conn, { folder, intervalSec: 30, durationSec: 600, sleep: clock.sleep, now: clock.now, onProgress: (p) => seen.push(p.taken) });
  assert.equal(result.taken, 21);
  assert.equal(result.stoppedBy, 'duration');
  assert.ok(result.spanSeconds >= 599 && result.spanSeconds < 610, `span ${result.spanSeconds}`);
  assert.deepEqual(seen, Array.from({ length: 21 }, (_, i) => i + 1));
  const ids = server.stats.queryIds;
  assert.equal(ids.filter((i) => i === 'perf.sample').length, 21, 'one batch per sample');
  assert.deepEqual(ids.filter((i) => i !== 'perf.sample'), ['server.properties', 'perf.host', 'perf.databases', 'perf.features']);
  assert.equal(result.roundTrips, 25);
  // Files to keep and share: the manifest and the samples, no password, no login.
  assert.deepEqual((await readdir(folder)).sort(), ['collection.json', 'samples.jsonl']);
  for (const f of await readdir(folder)) {
    const text = await readFile(join(folder, f), 'utf8');
    assert.ok(!text.includes(password) && !text.includes('collector'), `${f} holds no secret`);
  }
  const c = await readCollection(folder);
  assert.equal(c.manifest.server.name, 'SQLSRC01');
  assert.equal(c.manifest.host.cpuCount, 16);
  assert.deepEqual(c.manifest.databases.filter((d) => d.memoryOptimized).map((d) => d.name), ['Reporting']);
  assert.deepEqual(c.manifest.databases.filter((d) => d.filestream).map((d) => d.name), ['DocumentStore']);
  // The buffer pool is read every 10th sample (a scan of every buffer): samples 1, 11, 21.
  assert.deepEqual(c.samples.map((s, i) => (s.buf ? i : -1)).filter((i) => i >= 0), [0, 10, 20]);

  const series = seriesOfCollection(c);
  assert.equal(series.instance.length, 20);
  // Near the 14:00 peak: CPU about 62% of 16 CPUs; Sales, the hot database, takes most of it.
  const cpu = series.instance.map((p) => p.cpuPercent);
  assert.ok(Math.min(...cpu) >= 58 && Math.max(...cpu) <= 62, `cpu ${cpu.join(',')}`);
  const sales = series.perDatabase.Sales!;
  const share = sales[5]!.cpuShare;
  assert.ok(Math.abs(share - 0.6) < 0.001, `Sales share ${share}`); // 6 of 6 + 1.5 + 5 × 0.5
  const salesIops = sales.map((p) => p.iops);
  assert.ok(Math.min(...salesIops) > 1300 && Math.max(...salesIops) <= 1410, `Sales IOPS ${salesIops.join(',')}`);
  assert.ok(sales.every((p) => p.cachedMb && p.cachedMb > 20_000));
  const latency = series.instance[3]!.readLatencyMs!;
  // The DMV's counters are whole numbers (reads and stall ms rounded apart), so within about 1%.
  assert.ok(Math.abs(latency - 4) < 0.05, `read latency ${latency}`);
});

test('collecting again into the same folder appends, and a line cut by a crash is dropped', async () => {
  const folder = tempDir('sqlmig-perf-');
  await collectPerformance(conn, { folder, intervalSec: 30, durationSec: 300, sleep: clock.sleep, now: clock.now });
  await appendFile(join(folder, 'samples.jsonl'), '{"t":17,"ticks":'); // a crash mid-line
  clock.advance(30_000);
  const again = await collectPerformance(conn, { folder, intervalSec: 30, durationSec: 300, sleep: clock.sleep, now: clock.now });
  assert.equal(again.taken, 10);
  assert.equal(again.total, 21);
  const c = await readCollection(folder);
  assert.equal(c.samples.length, 21);
  assert.equal(c.manifest.sessions.length, 2);
  assert.ok(c.manifest.sessions.every((s) => s.endedAt));
  assert.ok(seriesOfCollection(c).source.spanSeconds >= 600);
});

test('cancelling ends the session cleanly: what was taken stays', async () => {
  const folder = tempDir('sqlmig-perf-');
  const stop = new AbortController();
  const result = await collectPerformance(conn, {
    folder, intervalSec: 30, durationSec: 600, sleep: clock.sleep, now: clock.now, signal: stop.signal,
    onProgress: (p) => p.taken === 3 && stop.abort(),
  });
  assert.equal(result.stoppedBy, 'cancelled');
  assert.equal(result.taken, 3);
  const c = await readCollection(folder);
  assert.equal(c.samples.length, 3);
  assert.ok(c.manifest.sessions[0]!.endedAt);
});

test('the recommendation from the collection: the whole server fits nothing, three databases fit General Purpose', async () => {
  const folder = tempDir('sqlmig-perf-');
  await collectPerformance(conn, { folder, intervalSec: 30, durationSec: 900, sleep: clock.sleep, now: clock.now });
  const { series } = await openSeries(folder);
  const all = recommendSku(series);
  assert.equal(all.instance.fits, false);
  // Reporting's In-Memory OLTP rules out both General Purpose tiers; Warehouse's 27 TB rules out Business Critical.
  assert.match(all.instance.reasons.find((r) => r.startsWith('General Purpose'))!, /In-Memory OLTP/);
  assert.match(all.instance.reasons.find((r) => r.startsWith('Business Critical'))!, /storage/);
  assert.match(all.instance.blockers.join(), /FILESTREAM in DocumentStore/);
  const reporting = all.databases.find((d) => d.requirements.name === 'Reporting')!;
  assert.equal(reporting.recommended!.sku.tier, 'business-critical');
  const three = recommendSku(series, { databases: ['Sales', 'Inventory', 'Payroll'] }).instance;
  assert.ok(three.fits);
  // Sales' 20 GB data file does about 1,300 IOPS at the peak; General Purpose gives a file that small 500.
  for (const v of three.verdicts.filter((x) => x.tier === 'general-purpose')) {
    assert.deepEqual(v.beyond.map((c) => c.dimension), ['iops']);
    assert.match(v.beyond[0]!.detail!, /busiest file Sales\.Sales needs 1\d{3}(\.\d+)? of its 500/);
  }
  // Next-gen General Purpose then: CPU near the peak is about 62% of 16 = 9.9 vCores at P95.
  const best = three.recommended!;
  assert.equal(best.sku.tier, 'next-gen-general-purpose');
  assert.deepEqual([best.sku.hardware, best.sku.vCores], ['premium-series', 10]);
  assert.ok(best.decidedBy.includes('vCores'));
  assert.ok(best.sku.extraIops! > 1000);
});
