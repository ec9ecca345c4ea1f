/** Hand-made workload series for the recommender's tests: every number chosen so the answer can be worked out on paper. */
import type { DatabaseInfo } from '../../../src/core/perf/model';
import type { DatabasePoint, FileSeries, InstancePoint, WorkloadSeries } from '../../../src/core/perf/series';

export interface HandSeries {
  /** One value per 30-second interval. */
  vCores: number[];
  memoryGb?: number;
  /** Per database: files (size GB, IOPS per interval), In-Memory OLTP. */
  databases?: { name: string; files: { name: string; type?: 'ROWS' | 'LOG'; sizeGb: number; iops?: number; miBps?: number }[]; memoryOptimized?: boolean; filestream?: boolean; share?: number }[];
  logMiBps?: number;
  cpuCount?: number;
}

export function handSeries(h: HandSeries): WorkloadSeries {
  const n = h.vCores.length;
  const t0 = Date.parse('2026-11-02T08:00:00Z');
  const dbs = h.databases ?? [{ name: 'Sales', files: [{ name: 'Sales', sizeGb: 80 }, { name: 'Sales_log', type: 'LOG', sizeGb: 20 }] }];
  const databases: DatabaseInfo[] = dbs.map((d, i) => ({
    id: 5 + i, name: d.name, state: 'ONLINE', ...(d.memoryOptimized && { memoryOptimized: true }), ...(d.filestream && { filestream: true }),
    files: d.files.map((f, j) => ({ fileId: j + 1, name: f.name, type: f.type ?? 'ROWS', sizeMb: f.sizeGb * 1024 })),
  }));
  const files: FileSeries[] = dbs.flatMap((d, i) => d.files.map((f, j) => ({
    database: d.name, databaseId: 5 + i, fileId: j + 1, name: f.name, type: f.type ?? 'ROWS', sizeGb: f.sizeGb,
    iops: Array.from({ length: n }, () => f.iops ?? 10), miBps: Array.from({ length: n }, () => f.miBps ?? 1),
  })));
  const storageGb = dbs.reduce((s, d) => s + d.files.reduce((x, f) => x + f.sizeGb, 0), 0);
  const iops = files.reduce((s, f) => s + f.iops[0]!, 0);
  const miBps = files.reduce((s, f) => s + f.miBps[0]!, 0);
  const instance: InstancePoint[] = h.vCores.map((v, i) => ({
    t: t0 + (i + 1) * 30_000, seconds: 30, cpuPercent: (v / (h.cpuCount ?? 16)) * 100, vCores: v, memoryGb: h.memoryGb ?? 10,
    iops, readIops: iops / 2, writeIops: iops / 2, readMiBps: miBps / 2, writeMiBps: miBps / 2, logMiBps: h.logMiBps ?? 1, storageGb,
  }));
  const perDatabase: Record<string, DatabasePoint[]> = {};
  dbs.forEach((d, i) => {
    const share = d.share ?? 1 / dbs.length;
    perDatabase[d.name] = instance.map((p) => ({
      t: p.t, vCores: p.vCores * share, cpuShare: share, cachedMb: 1024, iops: files.filter((f) => f.databaseId === 5 + i).reduce((s, f) => s + f.iops[0]!, 0),
      readMiBps: 0.5, writeMiBps: 0.5, logMiBps: (h.logMiBps ?? 1) * share, dataGb: d.files.filter((f) => f.type !== 'LOG').reduce((s, f) => s + f.sizeGb, 0),
      logGb: d.files.filter((f) => f.type === 'LOG').reduce((s, f) => s + f.sizeGb, 0),
    }));
  });
  return {
    server: { name: 'SQLHAND01', productVersion: '15.0.4298.1', edition: 'Enterprise Edition (64-bit)', engineEdition: 3 },
    host: { cpuCount: h.cpuCount ?? 16 }, databases, instance, perDatabase, files,
    source: { kind: 'sqlmig', location: '(hand-made)', dataPoints: n + 1, spanSeconds: n * 30, method: 'hand-made' },
    notes: [],
  };
}

/** 1..n scaled: the nearest-rank 95th percentile of k·step for k = 1..20 is 19·step. */
export const ramp = (n: number, step: number) => Array.from({ length: n }, (_, i) => (i + 1) * step);
