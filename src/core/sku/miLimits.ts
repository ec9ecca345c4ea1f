/**
 * Azure SQL Managed Instance resource limits, as data. Limits change between documentation
 * versions (16 TB classic GP, 32 TB and 500 databases on Next-gen GP, BC premium at 5.5 TB...), so
 * each table carries the version of the resource-limits page it was read from, and every report
 * records which table it used. Add a new version rather than editing an old one.
 */

export type ServiceTier = 'general-purpose' | 'next-gen-general-purpose' | 'business-critical';
export type Hardware = 'standard-series' | 'premium-series' | 'memory-optimized-premium-series';

export const SERVICE_TIERS: readonly ServiceTier[] = ['general-purpose', 'next-gen-general-purpose', 'business-critical'];

export const TIER_NAMES: Record<ServiceTier, string> = {
  'general-purpose': 'General Purpose',
  'next-gen-general-purpose': 'Next-gen General Purpose',
  'business-critical': 'Business Critical',
};

/** Max instance storage from a vCore count up (inclusive), in GB. */
export interface StorageStep {
  fromVCores: number;
  maxStorageGb: number;
}

export interface TierLimits {
  tier: ServiceTier;
  vCores: Partial<Record<Hardware, number[]>>;
  /** Per hardware, ascending by vCores. */
  storage: Partial<Record<Hardware, StorageStep[]>>;
  /** A database may be as large as the instance storage left for it. */
  maxUserDatabases: number;
  /** undefined: no per-instance file limit. */
  maxFilesPerInstance?: number;
  maxFilesPerDatabase?: number;
  /** undefined: limited by instance storage only. */
  maxDataFileGb?: number;
  maxLogFileGb: number;
  inMemoryOltp: boolean;
  ioLatencyMs: [number, number];
  logRateMiBpsPerVCore: number;
  maxLogRateMiBps: number;
  tempdbGbPerVCore?: number;
  /**
   * IOPS, throughput, log rate by hardware and In-Memory OLTP space: what sizing checks a
   * workload against (src/core/sku/recommend.ts). Absent in a table: sizing cannot use it.
   */
  io?: TierIoLimits;
}

/** One row of General Purpose's per-file IO table: a file up to `upToGb` (GiB) gets these. */
export interface FileIoStep {
  upToGb: number;
  iops: number;
  mibps: number;
}

/** From a vCore count up (inclusive): Next-gen General Purpose's instance caps. */
export interface VCoreIoCap {
  fromVCores: number;
  iops: number;
  mbps: number;
}

export interface TierIoLimits {
  /** General Purpose: every file gets IOPS and throughput by its size. */
  perFile?: FileIoStep[];
  /** Next-gen General Purpose: IOPS included per reserved GB, at least `minIops`; more can be bought up to the cap. */
  iopsPerReservedGb?: number;
  minIops?: number;
  /** Next-gen General Purpose: throughput (MB/s) = IOPS / this, at least `minMbps`, up to the cap. */
  iopsPerMbps?: number;
  minMbps?: number;
  vCoreCaps?: VCoreIoCap[];
  /** Business Critical: IOPS per vCore up to `maxIops`; throughput not limited. */
  iopsPerVCore?: number;
  maxIops?: number;
  /** Log write rate where it differs by hardware (MiB/s per vCore, instance maximum). */
  logRateByHardware?: Partial<Record<Hardware, { perVCore: number; max: number }>>;
  /** In-Memory OLTP space (GB) by hardware and vCores. */
  inMemoryOltpGb?: Partial<Record<Hardware, Record<number, number>>>;
}

/** Memory by hardware (the same in every tier). */
export interface HardwareLimits {
  memoryGbPerVCore: number;
  maxMemoryGb: number;
}

export interface MiLimitsTable {
  /** The ms.date of the resource-limits page these numbers come from. */
  version: string;
  source: string;
  tiers: Record<ServiceTier, TierLimits>;
  /** Memory per vCore by hardware; absent: sizing cannot check memory with this table. */
  hardware?: Record<Hardware, HardwareLimits>;
}

const GEN5_VCORES = [4, 8, 16, 24, 32, 40, 64, 80];
const NEXT_GEN_VCORES = [4, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 56, 64, 80, 96, 128];
const TB = 1024;

/** The 2026-03-10 page's hardware, IO and In-Memory OLTP tables (see TierIoLimits). */
const HARDWARE_2026: Record<Hardware, HardwareLimits> = {
  'standard-series': { memoryGbPerVCore: 5.1, maxMemoryGb: 408 },
  'premium-series': { memoryGbPerVCore: 7, maxMemoryGb: 560 },
  'memory-optimized-premium-series': { memoryGbPerVCore: 13.6, maxMemoryGb: 870.4 },
};
const GP_IO_2026: TierIoLimits = {
  perFile: [
    { upToGb: 129, iops: 500, mibps: 100 }, { upToGb: 513, iops: 2300, mibps: 150 }, { upToGb: 1025, iops: 5000, mibps: 200 },
    { upToGb: 8 * TB, iops: 7500, mibps: 250 },
  ],
};
const NEXT_GEN_IO_2026: TierIoLimits = {
  iopsPerReservedGb: 3, minIops: 300, iopsPerMbps: 30, minMbps: 75,
  vCoreCaps: [
    { fromVCores: 4, iops: 6400, mbps: 145 }, { fromVCores: 6, iops: 9600, mbps: 217 }, { fromVCores: 8, iops: 12800, mbps: 290 },
    { fromVCores: 10, iops: 16000, mbps: 367 }, { fromVCores: 12, iops: 19200, mbps: 445 }, { fromVCores: 16, iops: 25600, mbps: 600 },
    { fromVCores: 20, iops: 32000, mbps: 665 }, { fromVCores: 24, iops: 38400, mbps: 730 }, { fromVCores: 32, iops: 51200, mbps: 865 },
    { fromVCores: 40, iops: 64000, mbps: 1152 }, { fromVCores: 48, iops: 76800, mbps: 1152 }, { fromVCores: 56, iops: 80000, mbps: 1200 },
  ],
};
const BC_IO_2026: TierIoLimits = {
  iopsPerVCore: 4000, maxIops: 320000,
  logRateByHardware: { 'premium-series': { perVCore: 12, max: 192 }, 'memory-optimized-premium-series': { perVCore: 12, max: 192 } },
  inMemoryOltpGb: {
    'standard-series': { 4: 3.14, 8: 6.28, 16: 15.77, 24: 25.25, 32: 37.94, 40: 52.23, 64: 99.9, 80: 131.68 },
    'premium-series': { 4: 4.39, 6: 6.59, 8: 8.79, 10: 12.11, 12: 15.43, 16: 22.06, 20: 28.7, 24: 35.34, 32: 53.09, 40: 73.09, 48: 95.34, 56: 117.58, 64: 139.82, 80: 184.3, 96: 184.3, 128: 184.3 },
    'memory-optimized-premium-series': { 4: 8.79, 6: 15.32, 8: 22.06, 10: 30.94, 12: 39.82, 16: 57.58, 20: 75.34, 24: 93.09, 32: 128.61, 40: 164.13, 48: 199.64, 56: 244.13, 64: 288.61, 80: 288.61, 96: 288.61, 128: 288.61 },
  },
};

export const MI_LIMITS_2026_03: MiLimitsTable = {
  version: '2026-03-10',
  source: 'Azure SQL Managed Instance resource limits (learn.microsoft.com/azure/azure-sql/managed-instance/resource-limits)',
  tiers: {
    'general-purpose': {
      tier: 'general-purpose',
      vCores: { 'standard-series': GEN5_VCORES, 'premium-series': GEN5_VCORES, 'memory-optimized-premium-series': GEN5_VCORES },
      storage: Object.fromEntries(
        (['standard-series', 'premium-series', 'memory-optimized-premium-series'] as Hardware[]).map((h) => [
          h,
          [{ fromVCores: 4, maxStorageGb: 2 * TB }, { fromVCores: 8, maxStorageGb: 8 * TB }, { fromVCores: 16, maxStorageGb: 16 * TB }],
        ]),
      ),
      maxUserDatabases: 100,
      maxFilesPerInstance: 280,
      maxDataFileGb: 8 * TB,
      maxLogFileGb: 2 * TB,
      inMemoryOltp: false,
      ioLatencyMs: [5, 10],
      logRateMiBpsPerVCore: 4.5,
      maxLogRateMiBps: 120,
      tempdbGbPerVCore: 24,
      io: GP_IO_2026,
    },
    'next-gen-general-purpose': {
      tier: 'next-gen-general-purpose',
      vCores: { 'standard-series': GEN5_VCORES, 'premium-series': NEXT_GEN_VCORES, 'memory-optimized-premium-series': NEXT_GEN_VCORES },
      storage: Object.fromEntries(
        (['standard-series', 'premium-series', 'memory-optimized-premium-series'] as Hardware[]).map((h) => [
          h,
          [
            { fromVCores: 4, maxStorageGb: 2 * TB },
            { fromVCores: 8, maxStorageGb: 8 * TB },
            { fromVCores: 16, maxStorageGb: 16 * TB },
            { fromVCores: 32, maxStorageGb: 32 * TB },
          ],
        ]),
      ),
      maxUserDatabases: 500,
      maxFilesPerDatabase: 4096,
      maxLogFileGb: 2 * TB,
      inMemoryOltp: false,
      ioLatencyMs: [3, 5],
      logRateMiBpsPerVCore: 4.5,
      maxLogRateMiBps: 192,
      tempdbGbPerVCore: 24,
      io: NEXT_GEN_IO_2026,
    },
    'business-critical': {
      tier: 'business-critical',
      vCores: { 'standard-series': GEN5_VCORES, 'premium-series': NEXT_GEN_VCORES, 'memory-optimized-premium-series': NEXT_GEN_VCORES },
      storage: {
        'standard-series': [{ fromVCores: 4, maxStorageGb: 1 * TB }, { fromVCores: 24, maxStorageGb: 2 * TB }, { fromVCores: 32, maxStorageGb: 4 * TB }],
        // 16 TB at 64+ vCores only in some regions; the table keeps what every region offers.
        'premium-series': [
          { fromVCores: 4, maxStorageGb: 1 * TB }, { fromVCores: 24, maxStorageGb: 2 * TB },
          { fromVCores: 32, maxStorageGb: 4 * TB }, { fromVCores: 64, maxStorageGb: 5.5 * TB },
        ],
        'memory-optimized-premium-series': [
          { fromVCores: 4, maxStorageGb: 1 * TB }, { fromVCores: 24, maxStorageGb: 2 * TB },
          { fromVCores: 32, maxStorageGb: 4 * TB }, { fromVCores: 64, maxStorageGb: 16 * TB },
        ],
      },
      maxUserDatabases: 100,
      maxFilesPerDatabase: 32767,
      maxLogFileGb: 2 * TB,
      inMemoryOltp: true,
      ioLatencyMs: [1, 2],
      logRateMiBpsPerVCore: 4.5,
      maxLogRateMiBps: 96,
      io: BC_IO_2026,
    },
  },
  hardware: HARDWARE_2026,
};

/** The 2022 page: no Next-gen GP yet, so it falls back to classic GP numbers for that tier. */
export const MI_LIMITS_2022_06: MiLimitsTable = {
  version: '2022-06-02',
  source: 'Azure SQL Managed Instance resource limits, June 2022 edition',
  hardware: HARDWARE_2026,
  tiers: {
    'general-purpose': { ...MI_LIMITS_2026_03.tiers['general-purpose'], logRateMiBpsPerVCore: 3 },
    'next-gen-general-purpose': { ...MI_LIMITS_2026_03.tiers['general-purpose'], tier: 'next-gen-general-purpose', logRateMiBpsPerVCore: 3 },
    'business-critical': {
      ...MI_LIMITS_2026_03.tiers['business-critical'],
      storage: {
        'standard-series': [{ fromVCores: 4, maxStorageGb: 1 * TB }, { fromVCores: 24, maxStorageGb: 2 * TB }, { fromVCores: 32, maxStorageGb: 4 * TB }],
        'premium-series': [{ fromVCores: 4, maxStorageGb: 1 * TB }, { fromVCores: 24, maxStorageGb: 2 * TB }, { fromVCores: 32, maxStorageGb: 4 * TB }, { fromVCores: 64, maxStorageGb: 5.5 * TB }],
      },
    },
  },
};

export const MI_LIMITS_TABLES: readonly MiLimitsTable[] = [MI_LIMITS_2026_03, MI_LIMITS_2022_06];
export const CURRENT_MI_LIMITS = MI_LIMITS_2026_03;

export function limitsTable(version?: string): MiLimitsTable {
  if (!version) return CURRENT_MI_LIMITS;
  const t = MI_LIMITS_TABLES.find((x) => x.version === version);
  if (!t) throw new Error(`no Managed Instance limits table "${version}"; known: ${MI_LIMITS_TABLES.map((x) => x.version).join(', ')}`);
  return t;
}

export function parseTier(text: string): ServiceTier {
  const key = text.trim().toLowerCase().replace(/[\s_]+/g, '-');
  const aliases: Record<string, ServiceTier> = {
    gp: 'general-purpose', 'general-purpose': 'general-purpose', generalpurpose: 'general-purpose',
    'next-gen': 'next-gen-general-purpose', nextgen: 'next-gen-general-purpose', 'next-gen-gp': 'next-gen-general-purpose',
    'next-gen-general-purpose': 'next-gen-general-purpose', ngp: 'next-gen-general-purpose',
    bc: 'business-critical', 'business-critical': 'business-critical', businesscritical: 'business-critical',
  };
  const tier = aliases[key];
  if (!tier) throw new Error(`unknown service tier "${text}": use general-purpose, next-gen-general-purpose or business-critical (gp, next-gen, bc)`);
  return tier;
}

/** The largest instance storage the tier offers on any hardware and vCore count. */
export function maxInstanceStorageGb(limits: TierLimits, hardware?: Hardware): number {
  const steps = hardware ? limits.storage[hardware] ?? [] : Object.values(limits.storage).flat();
  return Math.max(0, ...steps.map((s) => s.maxStorageGb));
}

/** Instance storage available at a given vCore count and hardware. */
export function storageAt(limits: TierLimits, hardware: Hardware, vCores: number): number | undefined {
  const steps = limits.storage[hardware];
  if (!steps) return undefined;
  let best: number | undefined;
  for (const s of steps) if (vCores >= s.fromVCores) best = s.maxStorageGb;
  return best;
}

/**
 * The service tier of a managed instance as ARM describes it: `sku.tier` (GeneralPurpose,
 * BusinessCritical) and, for Next-gen General Purpose, the `isGeneralPurposeV2` flag (or a tier
 * name that says so). Undefined when the tier is not one the limits table knows.
 */
export function tierOfInstance(skuTier: string | undefined, isGeneralPurposeV2?: boolean): ServiceTier | undefined {
  const t = (skuTier ?? '').toLowerCase().replace(/[\s_-]+/g, '');
  if (t === 'businesscritical' || t === 'bc') return 'business-critical';
  if (t.startsWith('nextgen') || t === 'generalpurposev2' || t === 'gpv2' || ((t === 'generalpurpose' || t === 'gp') && isGeneralPurposeV2)) return 'next-gen-general-purpose';
  if (t === 'generalpurpose' || t === 'gp') return 'general-purpose';
  return undefined;
}

/**
 * How many user databases one instance of the tier holds. A tier the table does not know gets
 * the smallest limit of any tier: a plan never counts on room an instance may not have.
 */
export function maxUserDatabases(tier: ServiceTier | undefined, table: MiLimitsTable = CURRENT_MI_LIMITS): number {
  return tier ? table.tiers[tier].maxUserDatabases : Math.min(...Object.values(table.tiers).map((t) => t.maxUserDatabases));
}
