/**
 * Importing a collection made by Microsoft's collector (its three CSV files per instance). The
 * column layout is not published: these fixtures use the documented file names, counter names,
 * 10-minute windows of max/mean/variance, the CounterName column and the abbreviation DCP a user
 * reported, in the long layout, and a wide layout with per-counter columns.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { expandWindow, importMicrosoftCollection, openSeries, parseCsv, probit } from '../../../src/core/perf';
import { percentile, recommendSku } from '../../../src/core/sku';

const fixtures = join(__dirname, 'fixtures');

test('CSV: quotes, doubled quotes, CRLF, a BOM', () => {
  assert.deepEqual(parseCsv('\uFEFFa,"b,c","say ""hi"""\r\n1,,3\r\n'), [['a', 'b,c', 'say "hi"'], ['1', '', '3']]);
});

test('a window of max, mean and variance becomes the points it summarises', () => {
  assert.ok(Math.abs(probit(0.975) - 1.959964) < 1e-6);
  const pts = expandWindow({ max: 14, mean: 10, variance: 4 }, 20);
  assert.equal(pts.length, 20);
  assert.ok(Math.abs(pts[0]! - (10 + 2 * probit(0.025))) < 1e-9); // 6.08
  assert.equal(pts[19], 14); // the top point is the window's max
  assert.ok(pts.every((p, i) => i === 0 || p >= pts[i - 1]!));
  assert.deepEqual(expandWindow({ max: 3, mean: 3, variance: 0 }, 4), [3, 3, 3, 3]);
  assert.deepEqual(expandWindow({ mean: 1, variance: 100 }, 3).map((x) => x >= 0), [true, true, true]); // clipped at 0
});

test('the long layout: three windows of one instance, every counter, DCP understood, the unknown listed', async () => {
  const imported = await importMicrosoftCollection(join(fixtures, 'microsoft-long'));
  const s = imported.series;
  assert.equal(imported.instance, 'SQLPROD01');
  assert.equal(imported.files.length, 3);
  assert.deepEqual(imported.unknownCounters, ['XYZ']);
  assert.deepEqual(imported.unknownColumns, []);
  assert.equal(s.source.kind, 'microsoft-csv');
  assert.equal(s.source.dataPoints, 3);
  assert.equal(s.instance.length, 60); // 3 windows × 600 s / 30 s
  assert.equal(s.source.spanSeconds, 1800);
  assert.equal(s.host.cpuCount, 8);
  assert.deepEqual(s.databases.map((d) => d.name), ['HR', 'Sales']); // tempdb left out
  // CPU 20, 40, 60% of 8 CPUs; P95 (57th of 60) is in the last window: 4.8 vCores.
  assert.equal(percentile(s.instance.map((p) => p.vCores), 95), 4.8);
  assert.equal(s.instance[0]!.memoryGb, 32); // 33,554,432 KB
  assert.match(imported.assumptions.join('\n'), /PhysicalMemoryInUse read as KB/);
  // Files: 3,000 reads + 600 writes per 30 s on Sales' data file = 120 IOPS; tempdb left out.
  const salesData = s.files.find((f) => f.name === 'Sales')!;
  assert.equal(salesData.iops[0], 120);
  assert.equal(salesData.sizeGb, 100);
  const p = s.instance[0]!;
  assert.equal(p.iops, 120 + 50 + 11 + 2);
  assert.equal(p.logMiBps, 1.5 + 0.02);
  assert.ok(Math.abs(p.readLatencyMs! - (4 * 3000 + 5 * 300) / 3300) < 1e-9); // weighted by reads
  // DCP is Sales' share of SQL Server's CPU.
  assert.equal(s.perDatabase.Sales![0]!.cpuShare, 0.7);
  assert.ok(Math.abs(s.perDatabase.Sales![0]!.vCores - 0.7 * 1.6) < 1e-9);
  assert.equal(s.perDatabase.Sales![0]!.cachedMb, 20480);

  const rec = recommendSku(s);
  assert.equal(rec.instance.requirements.vCores, 4.8);
  assert.equal(rec.instance.recommended!.sku.vCores, 8);
  assert.equal(rec.instance.requirements.storageGb, 112.5); // Sales 110 GB + HR 2.5 GB
  assert.equal(rec.databases.find((d) => d.requirements.name === 'Sales')!.requirements.vCores, 0.8 * 4.8);
});

test('a time window, as Microsoft\'s StartTime and EndTime', async () => {
  const { series } = await openSeries(join(fixtures, 'microsoft-long'), { window: { from: Date.parse('2026-03-02T10:10:00Z') } });
  assert.equal(series.instance.length, 40);
});

test('the wide layout, without the static files: what is missing is said', async () => {
  const { series, notes } = await openSeries(join(fixtures, 'microsoft-wide'));
  assert.equal(series.server.name, 'SQLDEV02');
  assert.equal(series.instance.length, 40);
  assert.match(notes.join('\n'), /No \*_CommonInstanceLevel_Counters\.csv file: the host's CPU count is unknown/);
  assert.match(notes.join('\n'), /No logical CPU count/);
  assert.equal(series.files[0]!.iops[0], 60); // (1,500 + 300) / 30
  // Window 2: mean 30, variance 4, max 35: its points run from about 26 to 35.
  const cpu = series.instance.slice(20).map((x) => x.cpuPercent);
  assert.equal(Math.max(...cpu), 35);
  assert.ok(Math.min(...cpu) > 25 && Math.min(...cpu) < 27);
});

test('a folder with neither kind of collection says what it looked for', async () => {
  await assert.rejects(openSeries(fixtures), /neither a sqlmig collection \(collection\.json\) nor Microsoft's collector files/);
});
