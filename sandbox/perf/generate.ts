/**
 * Writes sandbox/perf/SQLSRC01: two hours of the sandbox source server's workload (around its
 * 14:00 peak) in the layout of Microsoft's collector that sqlmig reads (three CSV files; 10-minute
 * windows of max, mean and variance per counter), so that `sqlmig recommend` and `sqlmig perf
 * show` have something to read at once. The data is collected from the sandbox server itself, on
 * a clock that runs as fast as the collector asks:
 *
 *   npx tsx sandbox/perf/generate.ts [OUT_DIR]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectPerformance, csvField, readCollection, seriesOfCollection } from '../../src/core/perf';
import { connectSource } from '../../src/core/source';
import { bundledProfile, startTdsServer } from '../tds';

async function main(): Promise<void> {
  const out = process.argv[2] ?? join(__dirname, 'SQLSRC01');
  const profile = bundledProfile('default');
  let t = Date.parse('2026-11-03T13:00:00Z');
  const password = randomBytes(12).toString('base64url');
  const server = await startTdsServer({ profile, logins: [{ user: 'gen', password }], now: () => t });
  const conn = await connectSource({ server: `127.0.0.1,${server.port}`, auth: { kind: 'sql', user: 'gen', password }, trustServerCertificate: true });
  const folder = mkdtempSync(join(tmpdir(), 'sqlmig-perf-gen-'));
  try {
    await collectPerformance(conn, {
      folder, intervalSec: 30, durationSec: 7200, bufferPoolEvery: 1, now: () => t,
      sleep: async (ms) => {
        t += ms;
      },
    });
    const collection = await readCollection(folder);
    const series = seriesOfCollection(collection);
    const inst = profile.server.name;
    const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
    const stats = (xs: number[]) => {
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      return [Math.max(...xs), mean, xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length];
    };
    const r = (n: number) => String(Math.round(n * 10000) / 10000);
    const rows = ['InstanceName,TimeStamp,DatabaseName,LogicalFileName,CounterName,Max,Mean,Variance'];
    const windows = Math.floor(series.instance.length / 20);
    const m = collection.manifest;
    for (let w = 0; w < windows; w++) {
      const pts = series.instance.slice(w * 20, w * 20 + 20);
      const ts = stamp(pts[0]!.t - 30_000);
      const add = (db: string, file: string, counter: string, xs: number[]) => rows.push([inst, ts, db, file, counter, ...stats(xs).map(r)].map(csvField).join(','));
      add('', '', 'SqlInstanceCpuPercent', pts.map((p) => p.cpuPercent));
      add('', '', 'PhysicalMemoryInUse', pts.map((p) => p.memoryGb * 1048576));
      add('', '', 'MemoryUtilizationPercentage', pts.map(() => 100));
      for (const [name, dp] of Object.entries(series.perDatabase)) {
        const part = dp.slice(w * 20, w * 20 + 20);
        add(name, '', 'DatabaseCpuPercent', part.map((p) => p.cpuShare * 100));
        add(name, '', 'CachedSizeInMb', part.map((p) => p.cachedMb ?? 0));
      }
      for (const f of series.files) {
        // System databases, and files too quiet to matter (Warehouse's 280 partition files), keep the sample small.
        if (f.databaseId <= 4 || f.iops.reduce((a, b) => a + b, 0) / f.iops.length < 2) continue;
        const iops = f.iops.slice(w * 20, w * 20 + 20);
        const mib = f.miBps.slice(w * 20, w * 20 + 20);
        // Per 30-second interval, as the collector counts them; reads and writes split as the model does.
        const isLog = f.type === 'LOG';
        add(f.database, f.name, 'NumOfReads', iops.map((x) => x * 30 * (isLog ? 0.02 : 0.93)));
        add(f.database, f.name, 'NumOfWrites', iops.map((x) => x * 30 * (isLog ? 0.98 : 0.07)));
        add(f.database, f.name, 'ReadIOInMb', mib.map((x) => x * 30 * (isLog ? 0.01 : 0.97)));
        add(f.database, f.name, 'WriteIOInMb', mib.map((x) => x * 30 * (isLog ? 0.99 : 0.03)));
        add(f.database, f.name, 'ReadLatency', iops.map(() => profile.perf?.readLatencyMs ?? 4));
        add(f.database, f.name, 'WriteLatency', iops.map(() => (isLog ? profile.perf?.logWriteLatencyMs ?? 1.5 : profile.perf?.writeLatencyMs ?? 3)));
      }
    }
    const first = stamp(series.instance[0]!.t - 30_000);
    const instRows = ['InstanceName,TimeStamp,LogicalCpuCount,HyperthreadRatio,PhysicalCpuCount,MaxServerMemoryInUse,InstanceVersion,InstanceEdition,ServerCollation',
      [inst, first, m.host.cpuCount, m.host.hyperthreadRatio ?? 2, m.host.cpuCount / (m.host.hyperthreadRatio ?? 2), m.host.maxServerMemoryMb ?? '', m.server.productVersion, m.server.edition, 'SQL_Latin1_General_CP1_CI_AS'].map(csvField).join(',')];
    const dbRows = ['InstanceName,TimeStamp,DatabaseName,DatabaseId,CompatibilityLevel,FileLogicalName,FileType,SizeInMb',
      ...m.databases.filter((d) => d.state === 'ONLINE').flatMap((d) => d.files.map((f) => [inst, first, d.name, d.id, d.compatibilityLevel ?? '', f.name, f.type === 'LOG' ? 'Log' : f.type === 'ROWS' ? 'Rows' : f.type, f.sizeMb].map(csvField).join(',')))];
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `${inst}_CommonInstanceLevel_Counters.csv`), `${instRows.join('\r\n')}\r\n`);
    writeFileSync(join(out, `${inst}_CommonDbLevel_Counters.csv`), `${dbRows.join('\r\n')}\r\n`);
    writeFileSync(join(out, `${inst}_PerformanceAggregated_Counters.csv`), `${rows.join('\r\n')}\r\n`);
    console.log(`wrote ${out}: ${windows} windows of ${inst}`);
  } finally {
    await conn.close();
    await server.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
