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
}

export interface MiLimitsTable {
  /** The ms.date of the resource-limits page these numbers come from. */
  version: string;
  source: string;
  tiers: Record<ServiceTier, TierLimits>;
}

const GEN5_VCORES = [4, 8, 16, 24, 32, 40, 64, 80];
const NEXT_GEN_VCORES = [4, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 56, 64, 80, 96, 128];
const TB = 1024;

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
    },
  },
};

/** The 2022 page: no Next-gen GP yet, so it falls back to classic GP numbers for that tier. */
export const MI_LIMITS_2022_06: MiLimitsTable = {
  version: '2022-06-02',
  source: 'Azure SQL Managed Instance resource limits, June 2022 edition',
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
