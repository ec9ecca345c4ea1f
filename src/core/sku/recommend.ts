/**
 * SKU recommendation, the way Microsoft's baseline strategy does it (documented: inputs,
 * parameters and outputs; the mapping itself is closed source): each dimension's value at the
 * chosen percentile (95 by default, nearest rank) times the scale factor (100% by default),
 * then, per tier and hardware, the smallest vCore count whose limits (the versioned table in
 * miLimits.ts) cover every dimension; the cheapest of those is the recommendation (by the price
 * sheet when there is one). Every option explains itself: the dimension that decided its size
 * (the one the next size down fails), the headroom left on each, and the next size up and down.
 * When nothing fits, each tier says which dimension is beyond its largest size.
 */
import type { WorkloadSeries } from '../perf/series';
import { estimateMonthly, type LicenseModel, type PriceEstimate } from '../pricing/estimate';
import type { PriceSheet } from '../pricing/model';
import {
  CURRENT_MI_LIMITS, SERVICE_TIERS, storageAt, TIER_NAMES, type Hardware, type MiLimitsTable, type ServiceTier, type TierLimits,
} from './miLimits';

export const HARDWARE: readonly Hardware[] = ['standard-series', 'premium-series', 'memory-optimized-premium-series'];
export const HARDWARE_NAMES: Record<Hardware, string> = {
  'standard-series': 'Standard-series (Gen5)',
  'premium-series': 'Premium-series',
  'memory-optimized-premium-series': 'Memory optimized premium-series',
};
export const DEFAULT_PERCENTILE = 95;
export const DEFAULT_SCALE_FACTOR = 100;
export const STORAGE_STEP_GB = 32;
const MB_PER_MIB = 1.048576;

export type Dimension = 'vCores' | 'memory' | 'storage' | 'iops' | 'throughput' | 'logRate' | 'databases' | 'files' | 'fileSize' | 'inMemoryOltp' | 'latency';
export const DIMENSION_NAMES: Record<Dimension, string> = {
  vCores: 'CPU (vCores)', memory: 'memory', storage: 'storage', iops: 'IOPS', throughput: 'IO throughput', logRate: 'log write rate',
  databases: 'number of databases', files: 'number of database files', fileSize: 'file size', inMemoryOltp: 'In-Memory OLTP', latency: 'IO latency',
};

export interface FileRequirement {
  database: string;
  name: string;
  type: string;
  sizeGb: number;
  iops: number;
  miBps: number;
}

/** What the workload needs, each at the percentile × scale (storage and layout as measured). */
export interface Requirements {
  scope: 'instance' | 'database';
  name: string;
  percentile: number;
  scaleFactor: number;
  /** The value at the percentile before scaling, per dimension, for the report. */
  observed: { vCores: number; memoryGb: number; iops: number; throughputMiBps: number; logMiBps: number; readLatencyMs?: number; writeLatencyMs?: number };
  vCores: number;
  memoryGb: number;
  storageGb: number;
  iops: number;
  throughputMiBps: number;
  logMiBps: number;
  files: FileRequirement[];
  databases: number;
  /** Largest data and log file (GB), most files in a database, files in all. */
  largestDataFileGb: number;
  largestLogFileGb: number;
  maxFilesPerDatabase: number;
  totalFiles: number;
  /** Databases with a MEMORY_OPTIMIZED_DATA filegroup. */
  inMemoryOltp: string[];
  /** Databases with FILESTREAM: no Managed Instance tier restores them as they are. */
  filestream: string[];
  /** Asked for: storage IO latency at most this (ms); only tiers whose typical range meets it fit. */
  maxIoLatencyMs?: number;
  dataPoints: number;
  spanSeconds: number;
}

export interface Check {
  dimension: Dimension;
  required: number;
  capacity: number;
  unit: string;
  ok: boolean;
  /** 1 - required / capacity (0..1), when both are numbers. */
  headroom?: number;
  detail?: string;
}

export interface SkuChoice {
  tier: ServiceTier;
  hardware: Hardware;
  vCores: number;
  /** Reserved storage, a multiple of 32 GB. */
  storageGb: number;
  memoryGb: number;
  /** Next-gen General Purpose: IOPS to buy beyond the 3 per reserved GB. */
  extraIops?: number;
}

export interface SkuOption {
  sku: SkuChoice;
  name: string;
  checks: Check[];
  /** What set its size: the dimensions the next size down fails, or "smallest size". */
  decidedBy: Dimension[];
  explanation: string;
  nextDown?: { vCores: number; fails: Dimension[] };
  nextUp?: { vCores: number; memoryGb: number };
  price?: PriceEstimate;
  nextUpPrice?: number;
  nextDownPrice?: number;
}

export interface TierVerdict {
  tier: ServiceTier;
  hardware: Hardware;
  fits: boolean;
  /** Dimensions beyond the largest size, when nothing fits. */
  beyond: Check[];
}

export interface Recommendation {
  requirements: Requirements;
  /** The cheapest option that fits; absent when nothing fits. */
  recommended?: SkuOption;
  /** One per tier and hardware that fits, cheapest first. */
  options: SkuOption[];
  verdicts: TierVerdict[];
  fits: boolean;
  /** Why nothing fits (when it does not). */
  reasons: string[];
  /** Blockers to know about whatever the size (FILESTREAM...). */
  blockers: string[];
  notes: string[];
}

export interface InstanceRecommendation {
  createdAt: string;
  server: string;
  source: WorkloadSeries['source'];
  limitsVersion: string;
  method: string;
  instance: Recommendation;
  databases: Recommendation[];
  prices?: { region: string; currency: string; at: string; source: string; license: LicenseModel };
  notes: string[];
}

export interface RecommendOptions {
  percentile?: number;
  scaleFactor?: number;
  limits?: MiLimitsTable;
  tiers?: ServiceTier[];
  hardware?: Hardware[];
  prices?: PriceSheet;
  license?: LicenseModel;
  maxIoLatencyMs?: number;
  /** Refuse with less data than this (default 600 s, as Microsoft's collector); 0 for none. */
  minSeconds?: number;
  /** Only these databases (names; default all user databases). */
  databases?: string[];
  /** Extra facts from an assessment report: databases with In-Memory OLTP or FILESTREAM, blockers to repeat. */
  assessment?: { inMemoryOltp?: string[]; filestream?: string[]; blockers?: string[] };
}

export class NotEnoughDataError extends Error {}

/** Nearest-rank percentile (p in 0..100) of values; 0 for none. */
export function percentile(values: number[], p: number): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return 0;
  const rank = Math.min(v.length, Math.max(1, Math.ceil((p / 100) * v.length)));
  return v[rank - 1]!;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const reservedStorage = (gb: number) => Math.max(STORAGE_STEP_GB, Math.ceil(gb / STORAGE_STEP_GB) * STORAGE_STEP_GB);

/** The workload's requirements: the instance's, or one database's (`database`). */
export function requirementsOf(series: WorkloadSeries, options: RecommendOptions & { database?: string } = {}): Requirements {
  const p = options.percentile ?? DEFAULT_PERCENTILE;
  const scale = (options.scaleFactor ?? DEFAULT_SCALE_FACTOR) / 100;
  const userDbs = series.databases.filter((d) => d.id > 4 && (!options.databases || options.databases.some((n) => n.toLowerCase() === d.name.toLowerCase())));
  const included = options.database ? userDbs.filter((d) => d.name.toLowerCase() === options.database!.toLowerCase()) : userDbs;
  const filtered = Boolean(options.databases?.length);
  // The files that count: the database's own; for the instance, every database's (system ones too), or the chosen ones and the system ones.
  const layoutDbs = options.database ? included : filtered ? [...series.databases.filter((d) => d.id <= 4), ...included] : series.databases;
  const inScope = new Set(layoutDbs.map((d) => d.name.toLowerCase()));
  const files = series.files.filter((f) => (options.database || filtered ? inScope.has(f.database.toLowerCase()) : true)).map((f) => ({
    database: f.database, name: f.name, type: f.type, sizeGb: f.sizeGb, iops: percentile(f.iops, p) * scale, miBps: percentile(f.miBps, p) * scale,
  }));
  const layout = layoutDbs.flatMap((d) => d.files.map((f) => ({ d, f })));
  let observed: Requirements['observed'];
  let storageGb: number;
  if (options.database) {
    const pts = series.perDatabase[included[0]?.name ?? options.database] ?? [];
    observed = {
      vCores: percentile(pts.map((x) => x.vCores), p), memoryGb: percentile(pts.map((x) => (x.cachedMb ?? 0) / 1024), p),
      iops: percentile(pts.map((x) => x.iops), p), throughputMiBps: percentile(pts.map((x) => x.readMiBps + x.writeMiBps), p), logMiBps: percentile(pts.map((x) => x.logMiBps), p),
      ...optionalNumber('readLatencyMs', percentile(pts.map((x) => x.readLatencyMs ?? NaN), 50)),
      ...optionalNumber('writeLatencyMs', percentile(pts.map((x) => x.writeLatencyMs ?? NaN), 50)),
    };
    storageGb = Math.max(0, ...pts.map((x) => x.dataGb + x.logGb), included[0] ? included[0].files.reduce((s, f) => s + f.sizeMb, 0) / 1024 : 0);
  } else {
    const pts = series.instance;
    observed = {
      vCores: percentile(pts.map((x) => x.vCores), p), memoryGb: percentile(pts.map((x) => x.memoryGb), p), iops: percentile(pts.map((x) => x.iops), p),
      throughputMiBps: percentile(pts.map((x) => x.readMiBps + x.writeMiBps), p), logMiBps: percentile(pts.map((x) => x.logMiBps), p),
      ...optionalNumber('readLatencyMs', percentile(pts.map((x) => x.readLatencyMs ?? NaN), 50)),
      ...optionalNumber('writeLatencyMs', percentile(pts.map((x) => x.writeLatencyMs ?? NaN), 50)),
    };
    const allocated = layoutDbs.reduce((s, d) => s + d.files.reduce((x, f) => x + f.sizeMb, 0), 0) / 1024;
    storageGb = filtered
      ? Math.max(allocated, included.reduce((s, d) => s + Math.max(0, ...(series.perDatabase[d.name] ?? []).map((x) => x.dataGb + x.logGb)), 0))
      : Math.max(allocated, ...pts.map((x) => x.storageGb));
  }
  const perDbFiles = new Map<string, number>();
  for (const { d } of layout) perDbFiles.set(d.name, (perDbFiles.get(d.name) ?? 0) + 1);
  const fromAssessment = (list?: string[]) => (list ?? []).filter((n) => !options.database || n.toLowerCase() === options.database.toLowerCase());
  const unique = (xs: string[]) => [...new Map(xs.map((x) => [x.toLowerCase(), x])).values()].sort();
  return {
    scope: options.database ? 'database' : 'instance',
    name: options.database ? included[0]?.name ?? options.database : series.server.name,
    percentile: p, scaleFactor: scale * 100, observed,
    vCores: round(observed.vCores * scale, 4), memoryGb: round(observed.memoryGb * scale, 4), storageGb: round(storageGb, 4), iops: round(observed.iops * scale, 4),
    throughputMiBps: round(observed.throughputMiBps * scale, 4), logMiBps: round(observed.logMiBps * scale, 4), files,
    databases: options.database ? 1 : userDbs.length,
    largestDataFileGb: Math.max(0, ...layout.filter((x) => x.f.type !== 'LOG').map((x) => x.f.sizeMb / 1024)),
    largestLogFileGb: Math.max(0, ...layout.filter((x) => x.f.type === 'LOG').map((x) => x.f.sizeMb / 1024)),
    maxFilesPerDatabase: Math.max(0, ...perDbFiles.values()),
    totalFiles: layout.length,
    inMemoryOltp: unique([...included.filter((d) => d.memoryOptimized).map((d) => d.name), ...fromAssessment(options.assessment?.inMemoryOltp)]),
    filestream: unique([...included.filter((d) => d.filestream).map((d) => d.name), ...fromAssessment(options.assessment?.filestream)]),
    ...(options.maxIoLatencyMs !== undefined && { maxIoLatencyMs: options.maxIoLatencyMs }),
    dataPoints: series.instance.length, spanSeconds: series.source.spanSeconds,
  };
}

function optionalNumber<K extends string>(key: K, v: number): Partial<Record<K, number>> {
  return Number.isFinite(v) && v > 0 ? ({ [key]: v } as Record<K, number>) : {};
}

function fileIoLimit(limits: TierLimits, sizeGb: number): { iops: number; mibps: number } | undefined {
  const steps = limits.io?.perFile;
  if (!steps?.length) return undefined;
  return steps.find((s) => sizeGb <= s.upToGb) ?? steps[steps.length - 1]!;
}

function capAt<T extends { fromVCores: number }>(steps: T[] | undefined, vCores: number): T | undefined {
  let best: T | undefined;
  for (const s of steps ?? []) if (vCores >= s.fromVCores) best = s;
  return best;
}

function check(dimension: Dimension, required: number, capacity: number, unit: string, detail?: string): Check {
  const ok = required <= capacity + 1e-9;
  return {
    dimension, required: round(required), capacity: Number.isFinite(capacity) ? round(capacity) : capacity, unit, ok,
    ...(Number.isFinite(capacity) && capacity > 0 && { headroom: round(1 - required / capacity, 3) }),
    ...(detail && { detail }),
  };
}

/** Every dimension of the requirements against one size of one tier on one hardware. */
export function checkSize(req: Requirements, table: MiLimitsTable, tier: ServiceTier, hardware: Hardware, vCores: number): { checks: Check[]; sku: SkuChoice } {
  const limits = table.tiers[tier];
  const hw = table.hardware?.[hardware];
  const memoryGb = hw ? Math.min(vCores * hw.memoryGbPerVCore, hw.maxMemoryGb) : Number.POSITIVE_INFINITY;
  const maxStorage = storageAt(limits, hardware, vCores) ?? 0;
  const storageGb = Math.min(Math.max(reservedStorage(req.storageGb), STORAGE_STEP_GB), Math.max(maxStorage, STORAGE_STEP_GB));
  const checks: Check[] = [
    check('vCores', req.vCores, vCores, 'vCores'),
    check('memory', req.memoryGb, memoryGb, 'GB', hw ? `${hw.memoryGbPerVCore} GB per vCore` : 'the limits table has no memory per vCore'),
    check('storage', req.storageGb, maxStorage, 'GB', `reserve ${reservedStorage(req.storageGb)} GB of at most ${maxStorage} GB at ${vCores} vCores`),
  ];
  let extraIops: number | undefined;
  const io = limits.io;
  if (io?.perFile) {
    // General Purpose: each file has its own IOPS and throughput, by its size.
    let worstIops: { f: FileRequirement; limit: number } | undefined;
    let worstMb: { f: FileRequirement; limit: number } | undefined;
    let capIops = 0;
    let capMb = 0;
    for (const f of req.files) {
      const lim = fileIoLimit(limits, f.sizeGb)!;
      capIops += lim.iops;
      capMb += lim.mibps;
      if (!worstIops || f.iops / lim.iops > worstIops.f.iops / worstIops.limit) worstIops = { f, limit: lim.iops };
      if (!worstMb || f.miBps / lim.mibps > worstMb.f.miBps / worstMb.limit) worstMb = { f, limit: lim.mibps };
    }
    const fileOk = (w: { f: FileRequirement; limit: number } | undefined, pick: (f: FileRequirement) => number) => !w || pick(w.f) <= w.limit;
    const iopsCheck = check('iops', req.iops, Math.max(capIops, req.files.length ? 0 : Number.POSITIVE_INFINITY), 'IOPS',
      worstIops ? `per file by size; busiest file ${worstIops.f.database}.${worstIops.f.name} needs ${round(worstIops.f.iops)} of its ${worstIops.limit}` : 'no file IO measured');
    if (!fileOk(worstIops, (f) => f.iops)) iopsCheck.ok = false;
    const mbCheck = check('throughput', req.throughputMiBps, Math.max(capMb, req.files.length ? 0 : Number.POSITIVE_INFINITY), 'MiB/s',
      worstMb ? `per file by size; busiest file ${worstMb.f.database}.${worstMb.f.name} needs ${round(worstMb.f.miBps)} of its ${worstMb.limit} MiB/s` : undefined);
    if (!fileOk(worstMb, (f) => f.miBps)) mbCheck.ok = false;
    checks.push(iopsCheck, mbCheck);
  } else if (io?.vCoreCaps) {
    const cap = capAt(io.vCoreCaps, vCores) ?? { iops: 0, mbps: 0, fromVCores: 0 };
    const included = Math.max(io.minIops ?? 0, (io.iopsPerReservedGb ?? 0) * storageGb);
    const needed = Math.max(req.iops, req.throughputMiBps * MB_PER_MIB * (io.iopsPerMbps ?? 30));
    if (needed > included) extraIops = Math.ceil(Math.min(needed, cap.iops) - included);
    checks.push(
      check('iops', req.iops, cap.iops, 'IOPS', `${included} included with ${storageGb} GB reserved; up to ${cap.iops} at ${vCores} vCores${extraIops ? ` (${extraIops} extra to buy)` : ''}`),
      check('throughput', req.throughputMiBps, cap.mbps / MB_PER_MIB, 'MiB/s', `IOPS / ${io.iopsPerMbps ?? 30} MB/s, up to ${cap.mbps} MB/s at ${vCores} vCores`),
    );
  } else if (io?.iopsPerVCore) {
    checks.push(
      check('iops', req.iops, Math.min(io.iopsPerVCore * vCores, io.maxIops ?? Number.POSITIVE_INFINITY), 'IOPS', `${io.iopsPerVCore} per vCore`),
      check('throughput', req.throughputMiBps, Number.POSITIVE_INFINITY, 'MiB/s', 'not limited (local SSD)'),
    );
  }
  const rate = io?.logRateByHardware?.[hardware] ?? { perVCore: limits.logRateMiBpsPerVCore, max: limits.maxLogRateMiBps };
  checks.push(check('logRate', req.logMiBps, Math.min(rate.perVCore * vCores, rate.max), 'MiB/s', `${rate.perVCore} MiB/s per vCore, at most ${rate.max}`));
  checks.push(check('databases', req.databases, limits.maxUserDatabases, 'databases'));
  if (limits.maxFilesPerInstance !== undefined) checks.push(check('files', req.totalFiles, limits.maxFilesPerInstance, 'files', 'per instance'));
  else if (limits.maxFilesPerDatabase !== undefined) checks.push(check('files', req.maxFilesPerDatabase, limits.maxFilesPerDatabase, 'files', 'in the database with the most'));
  const dataLimit = limits.maxDataFileGb ?? maxStorage;
  const fileSize = check('fileSize', Math.max(req.largestDataFileGb / dataLimit, req.largestLogFileGb / limits.maxLogFileGb), 1, 'of the limit',
    `largest data file ${round(req.largestDataFileGb)} GB (limit ${dataLimit}), log file ${round(req.largestLogFileGb)} GB (limit ${limits.maxLogFileGb})`);
  checks.push(fileSize);
  if (req.inMemoryOltp.length) {
    const space = limits.io?.inMemoryOltpGb?.[hardware]?.[vCores];
    checks.push({
      dimension: 'inMemoryOltp', required: req.inMemoryOltp.length, capacity: limits.inMemoryOltp ? req.inMemoryOltp.length : 0, unit: 'databases', ok: limits.inMemoryOltp,
      detail: limits.inMemoryOltp ? `${req.inMemoryOltp.join(', ')} use In-Memory OLTP${space ? `; ${space} GB for memory-optimized data at this size` : ''}` : `${req.inMemoryOltp.join(', ')} use In-Memory OLTP, which ${TIER_NAMES[tier]} does not have`,
    });
  }
  if (req.maxIoLatencyMs !== undefined) {
    checks.push({ ...check('latency', limits.ioLatencyMs[1], req.maxIoLatencyMs, 'ms'), detail: `${TIER_NAMES[tier]} storage answers in ${limits.ioLatencyMs[0]}-${limits.ioLatencyMs[1]} ms; asked for at most ${req.maxIoLatencyMs} ms` });
  }
  return { checks, sku: { tier, hardware, vCores, storageGb, memoryGb: Number.isFinite(memoryGb) ? round(memoryGb, 1) : 0, ...(extraIops && { extraIops }) } };
}

function skuName(s: SkuChoice): string {
  return `${TIER_NAMES[s.tier]}, ${HARDWARE_NAMES[s.hardware]}, ${s.vCores} vCores, ${s.memoryGb} GB memory, ${s.storageGb} GB storage`;
}

const TIER_RANK: Record<ServiceTier, number> = { 'general-purpose': 0, 'next-gen-general-purpose': 1, 'business-critical': 2 };
const HW_RANK: Record<Hardware, number> = { 'standard-series': 0, 'premium-series': 1, 'memory-optimized-premium-series': 2 };

function describe(d: Dimension, c: Check | undefined): string {
  if (!c) return DIMENSION_NAMES[d];
  if (d === 'fileSize' || d === 'inMemoryOltp' || d === 'latency') return `${DIMENSION_NAMES[d]} (${c.detail})`;
  return `${DIMENSION_NAMES[d]} (${c.required} ${c.unit} needed)`;
}

/** Requirements against every tier and hardware: the options that fit, cheapest first. */
export function recommendFor(req: Requirements, options: RecommendOptions = {}): Recommendation {
  const table = options.limits ?? CURRENT_MI_LIMITS;
  const tiers = options.tiers ?? [...SERVICE_TIERS];
  const hardware = options.hardware ?? [...HARDWARE];
  const fitted: SkuOption[] = [];
  const verdicts: TierVerdict[] = [];
  const notes: string[] = [];
  if (!table.hardware) notes.push(`The limits table ${table.version} has no memory per vCore: memory is not checked`);
  for (const tier of tiers) {
    for (const hw of hardware) {
      const sizes = table.tiers[tier].vCores[hw];
      if (!sizes?.length) continue;
      const results = sizes.map((v) => ({ v, ...checkSize(req, table, tier, hw, v) }));
      const i = results.findIndex((r) => r.checks.every((c) => c.ok));
      if (i < 0) {
        const largest = results[results.length - 1]!;
        verdicts.push({ tier, hardware: hw, fits: false, beyond: largest.checks.filter((c) => !c.ok) });
        continue;
      }
      verdicts.push({ tier, hardware: hw, fits: true, beyond: [] });
      const r = results[i]!;
      const down = i > 0 ? results[i - 1]! : undefined;
      const up = results[i + 1];
      const downFails = down ? down.checks.filter((c) => !c.ok).map((c) => c.dimension) : [];
      const decidedBy: Dimension[] = down ? downFails : [];
      const tight = [...r.checks].filter((c) => c.headroom !== undefined).sort((a, b) => a.headroom! - b.headroom!)[0];
      const explanation = down
        ? `${r.v} vCores, because ${down.v} vCores fall short on ${downFails.map((d) => describe(d, down.checks.find((c) => c.dimension === d))).join(' and ')}.`
          + (tight ? ` Least headroom left: ${DIMENSION_NAMES[tight.dimension]}, ${Math.round(tight.headroom! * 100)}%.` : '')
        : `The smallest ${TIER_NAMES[tier]} size on ${HARDWARE_NAMES[hw]} (${r.v} vCores) covers everything.`
          + (tight ? ` Least headroom left: ${DIMENSION_NAMES[tight.dimension]}, ${Math.round(tight.headroom! * 100)}%.` : '');
      const option: SkuOption = {
        sku: r.sku, name: skuName(r.sku), checks: r.checks, decidedBy, explanation,
        ...(down && { nextDown: { vCores: down.v, fails: downFails } }),
        ...(up && { nextUp: { vCores: up.v, memoryGb: up.sku.memoryGb } }),
      };
      if (options.prices) {
        option.price = estimateMonthly(options.prices, { ...r.sku, ...(r.sku.extraIops && { extraIops: r.sku.extraIops }) }, options.license);
        if (up) option.nextUpPrice = estimateMonthly(options.prices, up.sku, options.license).monthly;
        if (down) option.nextDownPrice = estimateMonthly(options.prices, down.sku, options.license).monthly;
      }
      fitted.push(option);
    }
  }
  // A price missing only its extra IOPS (Next-gen General Purpose) ranks by what is priced: a lower bound, said in the option.
  const priced = (o: SkuOption) => (o.price && o.price.missing.every((m) => /IOPS/.test(m)) ? o.price.monthly : undefined);
  fitted.sort((a, b) => {
    const pa = priced(a);
    const pb = priced(b);
    if (pa !== undefined && pb !== undefined && pa !== pb) return pa - pb;
    if ((pa === undefined) !== (pb === undefined)) return pa === undefined ? 1 : -1;
    return TIER_RANK[a.sku.tier] - TIER_RANK[b.sku.tier] || a.sku.vCores - b.sku.vCores || HW_RANK[a.sku.hardware] - HW_RANK[b.sku.hardware];
  });
  if (!options.prices) notes.push('No price sheet: options are ranked by tier (General Purpose, Next-gen General Purpose, Business Critical), then vCores');
  const reasons = fitted.length ? [] : tiers.map((tier) => {
    const vs = verdicts.filter((v) => v.tier === tier);
    const best = vs.sort((a, b) => a.beyond.length - b.beyond.length)[0];
    if (!best) return `${TIER_NAMES[tier]}: no hardware in the limits table`;
    return `${TIER_NAMES[tier]}: even the largest size falls short on ${best.beyond.map((c) => `${DIMENSION_NAMES[c.dimension]} (${c.required} ${c.unit} needed, at most ${c.capacity})`).join(', ')}`;
  });
  const blockers = req.filestream.length ? [`FILESTREAM in ${req.filestream.join(', ')}: no Managed Instance tier restores it; move the files to Azure Blob Storage first (or use SQL Server on an Azure VM)`] : [];
  return { requirements: req, ...(fitted[0] && { recommended: fitted[0] }), options: fitted, verdicts, fits: fitted.length > 0, reasons, blockers, notes };
}

/** The instance's recommendation and each database's (each alone on an instance). */
export function recommendSku(series: WorkloadSeries, options: RecommendOptions = {}): InstanceRecommendation {
  const minSeconds = options.minSeconds ?? 600;
  // Sampling drifts by a query's round trip: 21 samples 30 s apart may span 599.9 s.
  if (series.source.spanSeconds < minSeconds * 0.98) {
    throw new NotEnoughDataError(`the data covers ${formatSpan(series.source.spanSeconds)} of the workload; a recommendation needs at least ${formatSpan(minSeconds)} (hours covering peak and quiet times are better): collect more into the same folder, it resumes`);
  }
  const table = options.limits ?? CURRENT_MI_LIMITS;
  const instance = recommendFor(requirementsOf(series, options), options);
  const blockers = options.assessment?.blockers ?? [];
  instance.blockers.push(...blockers);
  const dbs = series.databases.filter((d) => d.id > 4 && (!options.databases || options.databases.some((n) => n.toLowerCase() === d.name.toLowerCase())));
  const databases = dbs.map((d) => recommendFor(requirementsOf(series, { ...options, database: d.name }), options));
  return {
    createdAt: new Date().toISOString(), server: series.server.name, source: series.source, limitsVersion: table.version,
    method: `each dimension at the ${options.percentile ?? DEFAULT_PERCENTILE}th percentile (nearest rank) × ${options.scaleFactor ?? DEFAULT_SCALE_FACTOR}%; storage as allocated, reserved in ${STORAGE_STEP_GB} GB steps; the smallest size of each tier and hardware whose limits (table ${table.version}) cover every dimension; the cheapest of those`,
    instance, databases,
    ...(options.prices && { prices: { region: options.prices.region, currency: options.prices.currency, at: options.prices.fetchedAt, source: options.prices.source, license: options.license ?? 'license-included' } }),
    notes: [...series.notes],
  };
}

export function formatSpan(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}
