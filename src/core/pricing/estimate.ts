/**
 * A managed instance's monthly list price from a price sheet: vCores × the compute meter, the SQL
 * license meter unless the Azure Hybrid Benefit covers it, reserved storage beyond the 32 GB
 * included, all × 730 hours. Meters are found by their product names (the Retail Prices API's
 * productName, e.g. "SQL Managed Instance General Purpose - Compute Gen5"); a meter the sheet
 * lacks is named in `missing`, never priced at zero.
 */
import type { Hardware, ServiceTier } from '../sku/miLimits';
import { HOURS_PER_MONTH, type PriceSheet, type RetailPriceItem } from './model';

export type LicenseModel = 'license-included' | 'hybrid-benefit';

/** Storage included in the price, per instance (GB). */
export const INCLUDED_STORAGE_GB = 32;

export interface PriceLine {
  what: string;
  quantity: number;
  unit: string;
  unitPrice: number;
  monthly: number;
  meter: string;
}

export interface PriceEstimate {
  monthly: number;
  currency: string;
  region: string;
  /** When the prices were read. */
  pricesAt: string;
  source: string;
  lines: PriceLine[];
  /** Parts that could not be priced (no meter in the sheet). */
  missing: string[];
  notes: string[];
}

export interface PricedSku {
  tier: ServiceTier;
  hardware: Hardware;
  vCores: number;
  storageGb: number;
  /** Next-gen General Purpose: IOPS bought beyond the included ones. */
  extraIops?: number;
}

const TIER_WORDS: Record<ServiceTier, string> = { 'general-purpose': 'General Purpose', 'next-gen-general-purpose': 'General Purpose', 'business-critical': 'Business Critical' };

function hardwareMatches(productName: string, hardware: Hardware): boolean {
  const p = productName.toLowerCase();
  if (hardware === 'standard-series') return /gen5|standard series/.test(p);
  if (hardware === 'memory-optimized-premium-series') return /premium series/.test(p) && /memory optimi[sz]ed/.test(p);
  return /premium series/.test(p) && !/memory optimi[sz]ed/.test(p);
}

const consumption = (i: RetailPriceItem) => (i.type ?? 'Consumption') === 'Consumption' && !/zone redundan/i.test(`${i.skuName} ${i.meterName}`);

/** The price of one vCore-hour from a vCore meter ("vCore", "1 vCore", or "8 vCore" divided by 8). */
function perVCore(items: RetailPriceItem[], vCores: number): { price: number; item: RetailPriceItem } | undefined {
  const hourly = items.filter((i) => /hour/i.test(i.unitOfMeasure) && /vcore/i.test(i.meterName));
  const exact = hourly.find((i) => new RegExp(`^${vCores} vcore$`, 'i').test(i.skuName.trim()));
  if (exact) return { price: exact.retailPrice / vCores, item: exact };
  const unit = hourly.find((i) => /^(1 )?vcore$/i.test(i.skuName.trim()));
  if (unit) return { price: unit.retailPrice, item: unit };
  const any = hourly.map((i) => ({ i, n: Number(/^(\d+) vcore$/i.exec(i.skuName.trim())?.[1]) })).find((x) => x.n > 0);
  return any ? { price: any.i.retailPrice / any.n, item: any.i } : undefined;
}

function productItems(sheet: PriceSheet, test: (productName: string) => boolean): RetailPriceItem[] {
  return sheet.items.filter((i) => i.serviceName === 'SQL Managed Instance' && consumption(i) && test(i.productName));
}

export function estimateMonthly(sheet: PriceSheet, sku: PricedSku, license: LicenseModel = 'license-included'): PriceEstimate {
  const lines: PriceLine[] = [];
  const missing: string[] = [];
  const notes: string[] = [];
  const word = TIER_WORDS[sku.tier];
  const tierName = (p: string) => p.includes(word);
  const add = (what: string, quantity: number, unit: string, unitPrice: number, hours: number, item: RetailPriceItem) =>
    lines.push({ what, quantity, unit, unitPrice, monthly: quantity * unitPrice * hours, meter: `${item.productName} / ${item.meterName}${item.skuName ? ` (${item.skuName})` : ''}` });

  let computeItems = sku.tier === 'next-gen-general-purpose' ? productItems(sheet, (p) => /next[- ]?gen/i.test(p) && /compute/i.test(p) && hardwareMatches(p, sku.hardware)) : [];
  if (sku.tier === 'next-gen-general-purpose' && !computeItems.length) {
    notes.push('Next-gen General Purpose is priced with the General Purpose compute, license and storage meters (the sheet has no meter of its own for it)');
  }
  if (!computeItems.length) computeItems = productItems(sheet, (p) => tierName(p) && /compute/i.test(p) && !/next[- ]?gen/i.test(p) && hardwareMatches(p, sku.hardware));
  const compute = perVCore(computeItems, sku.vCores);
  if (compute) add(`compute, ${sku.vCores} vCores`, sku.vCores, 'vCore-hour', compute.price, HOURS_PER_MONTH, compute.item);
  else missing.push(`compute (${word}, ${sku.hardware})`);

  if (license === 'license-included') {
    const lic = perVCore(productItems(sheet, (p) => tierName(p) && /license/i.test(p)), sku.vCores);
    if (lic) add(`SQL Server license, ${sku.vCores} vCores`, sku.vCores, 'vCore-hour', lic.price, HOURS_PER_MONTH, lic.item);
    else missing.push(`SQL license (${word})`);
  } else notes.push('Azure Hybrid Benefit: the SQL Server license is covered by licenses you own (Software Assurance)');

  const billable = Math.max(0, sku.storageGb - INCLUDED_STORAGE_GB);
  const storage = productItems(sheet, (p) => tierName(p) && /storage/i.test(p))
    .find((i) => /data stored/i.test(i.meterName) && !/backup/i.test(`${i.meterName} ${i.productName}`) && /gb\/month/i.test(i.unitOfMeasure.replace(/\s/g, '')));
  if (storage) {
    if (billable > 0) add(`storage, ${sku.storageGb} GB reserved (${INCLUDED_STORAGE_GB} GB included)`, billable, 'GB-month', storage.retailPrice, 1, storage);
  } else if (billable > 0) missing.push(`storage (${word})`);

  if (sku.extraIops && sku.extraIops > 0) {
    const iops = productItems(sheet, (p) => /iops/i.test(p)).concat(sheet.items.filter((i) => i.serviceName === 'SQL Managed Instance' && /iops/i.test(i.meterName) && consumption(i)))[0];
    if (iops) add(`extra IOPS beyond those included`, sku.extraIops, 'IOPS-month', iops.retailPrice, 1, iops);
    else missing.push(`${sku.extraIops} extra IOPS (no IOPS meter in the sheet)`);
  }
  return {
    monthly: lines.reduce((s, l) => s + l.monthly, 0), currency: sheet.currency, region: sheet.region, pricesAt: sheet.fetchedAt, source: sheet.source,
    lines, missing, notes,
  };
}
