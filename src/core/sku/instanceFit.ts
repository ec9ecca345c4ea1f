/**
 * A chosen managed instance against a sizing recommendation: whether its tier can hold the
 * workload at all (In-Memory OLTP needs Business Critical, ...) and whether its size covers
 * every dimension the recommendation measured, checked with the same limits and the same
 * per-size check (checkSize) the recommendation itself uses. The wizard's target step shows
 * these as warnings; they never block, since the data may not cover the peak the user knows.
 */
import { CURRENT_MI_LIMITS, TIER_NAMES, type Hardware, type MiLimitsTable, type ServiceTier } from './miLimits';
import { checkSize, DIMENSION_NAMES, type Check, type Recommendation } from './recommend';

export interface InstanceToFit {
  name: string;
  tier?: ServiceTier;
  vCores?: number;
  /** Unknown from ARM's picker listing: standard-series (the smallest memory per vCore) is assumed. */
  hardware?: Hardware;
}

const said = (c: Check) =>
  c.dimension === 'inMemoryOltp' || c.dimension === 'fileSize' || c.dimension === 'latency'
    ? `${DIMENSION_NAMES[c.dimension]} (${c.detail})`
    : `${DIMENSION_NAMES[c.dimension]} (${c.required} ${c.unit} needed, ${c.capacity} there)`;

/** What is wrong with the instance for this workload, each with what to do (empty: it fits, or it cannot be told). */
export function instanceFitWarnings(rec: Recommendation, mi: InstanceToFit, table: MiLimitsTable = CURRENT_MI_LIMITS): string[] {
  if (!rec.fits) return [`nothing in Managed Instance fits this workload: ${rec.reasons.join('; ')}`];
  if (!mi.tier) return [];
  const tier = TIER_NAMES[mi.tier];
  const verdicts = rec.verdicts.filter((v) => v.tier === mi.tier);
  if (verdicts.length && verdicts.every((v) => !v.fits)) {
    const beyond = [...new Map(verdicts.flatMap((v) => v.beyond).map((c) => [c.dimension, c])).values()];
    const tiers = [...new Set(rec.options.map((o) => TIER_NAMES[o.sku.tier]))];
    return [`${mi.name} is ${tier}, which cannot hold this workload at any size: ${beyond.map(said).join(', ')}; choose a ${tiers.join(' or ')} instance`];
  }
  if (mi.vCores === undefined) return [];
  const short = checkSize(rec.requirements, table, mi.tier, mi.hardware ?? 'standard-series', mi.vCores).checks.filter((c) => !c.ok);
  if (!short.length) return [];
  const sized = rec.options.find((o) => o.sku.tier === mi.tier && o.sku.hardware === (mi.hardware ?? 'standard-series')) ?? rec.options.find((o) => o.sku.tier === mi.tier);
  return [
    `${mi.name} (${tier}, ${mi.vCores} vCores) is smaller than the workload needs: ${short.map(said).join(', ')}` +
      (sized ? `; ${tier} needs ${sized.sku.vCores} vCores (${sized.name}): scale the instance up or choose a larger one` : ''),
  ];
}
