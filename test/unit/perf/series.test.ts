/** Rates from raw samples, worked out by hand: deltas of cumulative counters over the server's ms_ticks. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COLLECTION_FORMAT, seriesOfSamples, toSample, type CollectionManifest, type RawSample } from '../../../src/core/perf';

const manifest: CollectionManifest = {
  format: COLLECTION_FORMAT, formatVersion: 1, tool: { name: 'sqlmig', version: 'test' },
  server: { name: 'S1', productVersion: '16.0.1000.6', edition: 'Developer', engineEdition: 3 },
  host: { cpuCount: 8 },
  databases: [
    { id: 1, name: 'master', state: 'ONLINE', files: [{ fileId: 1, name: 'master', type: 'ROWS', sizeMb: 8 }, { fileId: 2, name: 'mastlog', type: 'LOG', sizeMb: 8 }] },
    { id: 5, name: 'Hot', state: 'ONLINE', files: [{ fileId: 1, name: 'Hot', type: 'ROWS', sizeMb: 1024 }, { fileId: 2, name: 'Hot_log', type: 'LOG', sizeMb: 256 }] },
    { id: 6, name: 'Cold', state: 'ONLINE', files: [{ fileId: 1, name: 'Cold', type: 'ROWS', sizeMb: 512 }, { fileId: 2, name: 'Cold_log', type: 'LOG', sizeMb: 64 }] },
  ],
  intervalSec: 30, bufferPoolEvery: 10, createdAt: '', updatedAt: '', sessions: [],
};
const MiB = 1048576;
const GiB = 1024 * MiB;

function sample(t: number, k: number, start = 1000): RawSample {
  // After k intervals of 30 s: Hot's data file did 300 reads (9 MiB) and 60 writes per interval, its log 150 writes (3 MiB);
  // Cold's data file 30 reads (0.5 MiB). Worker time: Hot 18 s of CPU per interval, Cold 6 s. tempdb: lots, left out.
  return {
    t, ticks: 5_000_000 + k * 30_000, start, cpu: { sql: 50, idle: 40 }, mem: { inUseKb: 16 * 1048576, utilization: 100 },
    dbCpu: [[5, k * 18e6, k * 20e6, k * 100], [6, k * 6e6, k * 7e6, k * 10], [32767, k * 99e6, 0, 0]],
    files: [
      [5, 1, k * 300, k * 9 * MiB, k * 300 * 4, k * 60, k * 60 * 8192, k * 60 * 2, GiB],
      [5, 2, 0, 0, 0, k * 150, k * 3 * MiB, k * 150 * 1, 256 * MiB],
      [6, 1, k * 30, k * 0.5 * MiB, k * 30 * 10, 0, 0, 0, 512 * MiB],
      [6, 2, 0, 0, 0, 0, 0, 0, 64 * MiB],
      [2, 1, k * 10_000, k * 100 * MiB, 0, k * 10_000, k * 100 * MiB, 0, 8 * GiB],
      [1, 1, 0, 0, 0, 0, 0, 0, 8 * MiB], [1, 2, 0, 0, 0, 0, 0, 0, 8 * MiB],
    ],
    costMs: 2,
  };
}

test('rates per interval for the instance, each database and each file', () => {
  const s = seriesOfSamples(manifest, [sample(0, 0), sample(30_000, 1), sample(60_000, 2)]);
  assert.equal(s.instance.length, 2);
  const p = s.instance[1]!;
  assert.equal(p.seconds, 30);
  assert.equal(p.vCores, 4); // 50% of 8
  assert.equal(p.memoryGb, 16);
  assert.equal(p.iops, (300 + 60 + 150 + 30) / 30); // tempdb left out
  assert.equal(p.readMiBps, (9 + 0.5) / 30);
  assert.equal(p.logMiBps, 3 / 30);
  assert.equal(p.readLatencyMs, (300 * 4 + 30 * 10) / 330);
  assert.equal(p.logWriteLatencyMs, 1);
  assert.equal(p.storageGb, 1 + 0.25 + 0.5 + 64 / 1024 + 16 / 1024);
  const hot = s.perDatabase.Hot![1]!;
  assert.equal(hot.cpuShare, 0.75); // 18 of 24 s of worker time (the resource database left out)
  assert.equal(hot.vCores, 3);
  assert.equal(hot.iops, (300 + 60 + 150) / 30);
  assert.equal(hot.dataGb, 1);
  assert.equal(hot.logGb, 0.25);
  const file = s.files.find((f) => f.database === 'Hot' && f.name === 'Hot')!;
  assert.deepEqual(file.iops, [12, 12]);
  assert.equal(s.source.spanSeconds, 60);
});

test('a restart (a new start time) leaves that interval out, and says so', () => {
  const s = seriesOfSamples(manifest, [sample(0, 0), sample(30_000, 1), sample(60_000, 0, 2000), sample(90_000, 1, 2000)]);
  assert.equal(s.instance.length, 2);
  assert.match(s.notes[0]!, /SQL Server restarted between/);
});

test('counters that went backwards (plans evicted from the cache) count as zero, never negative', () => {
  const a = sample(0, 2);
  const b = sample(30_000, 3);
  b.dbCpu[0] = [5, 1e6, 1e6, 1];
  const s = seriesOfSamples(manifest, [a, b]);
  assert.equal(s.perDatabase.Hot![0]!.cpuShare, 0);
  assert.equal(s.perDatabase.Cold![0]!.cpuShare, 1);
});

test('the sample rowset becomes a raw sample', () => {
  const rows = [
    { k: 'clock', db: null, f: null, v1: 1_700_000_000_123, v2: 99_000, v3: 1_690_000_000_000, v4: 1000, v5: 2000 },
    { k: 'cpu', v1: 37, v2: 55 }, { k: 'mem', v1: 4096, v2: 98 },
    { k: 'dbcpu', db: 5, v1: 10, v2: 20, v3: 3 },
    { k: 'file', db: 5, f: 1, v1: 1, v2: 2, v3: 3, v4: 4, v5: 5, v6: 6, v7: '7' },
    { k: 'buf', db: 5, v1: '128' },
  ];
  assert.deepEqual(toSample(rows, 1.234), {
    t: 1_700_000_000_123, ticks: 99_000, start: 1_690_000_000_000, cpu: { sql: 37, idle: 55 },
    mem: { inUseKb: 4096, utilization: 98, committedKb: 1000, targetKb: 2000 }, dbCpu: [[5, 10, 20, 3]], buf: [[5, 128]],
    files: [[5, 1, 1, 2, 3, 4, 5, 6, 7]], costMs: 1.23,
  });
});
