/**
 * The price client: the Retail Prices API's SQL Managed Instance meters for one region and
 * currency, every page followed (NextPageLink), kept in a cache file for a week; or a price sheet
 * a user saved (`--prices FILE`: a sheet this client wrote, or the API's own JSON answer) for
 * machines without internet. The endpoint is an option: a cloud's `retailPricesEndpoint`, or the
 * sandbox's recorded answer (sandbox/prices.ts).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PRICE_SHEET_FORMAT, type PriceSheet, type RetailPriceItem, type RetailPricesPage } from './model';

export const PUBLIC_RETAIL_PRICES_ENDPOINT = 'https://prices.azure.com/api/retail/prices';
export const RETAIL_PRICES_API_VERSION = '2023-01-01-preview';
export const DEFAULT_CACHE_TTL_MS = 7 * 24 * 3600 * 1000;
const MAX_PAGES = 50;

export class PriceError extends Error {}

/**
 * The Retail Prices endpoint of a cloud: its own when it names one (a cloud file's
 * "retailPricesEndpoint": the sandbox's), else the public one. The API lists Azure public and US
 * Government regions; Azure China's prices are not in it (they are published by 21Vianet).
 */
export function retailPricesEndpoint(cloud?: { name: string; retailPricesEndpoint?: string }): string {
  if (cloud?.retailPricesEndpoint) return cloud.retailPricesEndpoint.replace(/\/+$/, '');
  if (cloud?.name === 'AzureChinaCloud') throw new PriceError('the Azure Retail Prices API has no Azure China prices: give a price sheet with --prices FILE');
  return PUBLIC_RETAIL_PRICES_ENDPOINT;
}

/** The first page's address: SQL Managed Instance, consumption prices, one region, one currency. */
export function retailPricesUrl(endpoint: string, region: string, currency: string): string {
  const filter = `serviceName eq 'SQL Managed Instance' and armRegionName eq '${region.replace(/'/g, "''")}' and priceType eq 'Consumption'`;
  // Spaces as %20, not '+': the filter is OData text, not a form.
  const enc = (v: string) => encodeURIComponent(v).replace(/'/g, '%27');
  return `${endpoint}?api-version=${RETAIL_PRICES_API_VERSION}&currencyCode=${enc(`'${currency}'`)}&$filter=${enc(filter)}`;
}

export interface FetchPricesOptions {
  endpoint?: string;
  region: string;
  currency?: string;
  signal?: AbortSignal;
  /** Where the sheet is kept between runs (default ~/.cache/sqlmig/prices); false: no cache. */
  cacheDir?: string | false;
  cacheTtlMs?: number;
  /** Ignore a cached sheet (read the API again). */
  refresh?: boolean;
  /** The HTTP client (tests); default: global fetch. */
  fetch?: typeof fetch;
  now?: () => Date;
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'sqlmig', 'prices');
}

function cacheFile(dir: string, endpoint: string, region: string, currency: string): string {
  const host = endpoint.replace(/^https?:\/\//, '').replace(/[^A-Za-z0-9.-]+/g, '_');
  return join(dir, `${host}-${region.toLowerCase()}-${currency.toUpperCase()}.json`);
}

/** Reads a sheet this client wrote, or an answer of the API itself (region and currency from its items). */
export function parsePriceSheet(text: string, source: string, fallback: { region?: string; currency?: string; fetchedAt?: string } = {}): PriceSheet {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new PriceError(`${source} is not JSON: ${(e as Error).message}`);
  }
  const o = doc as Partial<PriceSheet> & Partial<RetailPricesPage>;
  if (o && o.format === PRICE_SHEET_FORMAT && Array.isArray(o.items) && o.region && o.currency && o.fetchedAt) return o as PriceSheet;
  const items: RetailPriceItem[] | undefined = Array.isArray(o?.Items) ? o.Items : Array.isArray(doc) ? (doc as RetailPriceItem[]) : undefined;
  if (!items) throw new PriceError(`${source} is neither a sqlmig price sheet nor an Azure Retail Prices answer ({"Items": [...]})`);
  const mi = items.filter((i) => i && i.serviceName === 'SQL Managed Instance');
  if (!mi.length) throw new PriceError(`${source} has no SQL Managed Instance prices`);
  const regions = [...new Set(mi.map((i) => i.armRegionName))];
  const region = fallback.region ?? regions[0]!;
  if (!fallback.region && regions.length > 1) throw new PriceError(`${source} has prices of several regions (${regions.join(', ')}): choose one with --region`);
  const regional = mi.filter((i) => i.armRegionName.toLowerCase() === region.toLowerCase());
  if (!regional.length) throw new PriceError(`${source} has no prices for ${region}; it has ${regions.join(', ')}`);
  const inRegion = fallback.currency ? regional.filter((i) => i.currencyCode.toUpperCase() === fallback.currency!.toUpperCase()) : regional;
  const currencies = [...new Set(regional.map((i) => i.currencyCode))];
  if (!inRegion.length) throw new PriceError(`${source} has no ${fallback.currency} prices for ${region}; it has ${currencies.join(', ')}`);
  if (!fallback.currency && currencies.length > 1) throw new PriceError(`${source} has prices in several currencies for ${region} (${currencies.join(', ')}): choose one with --currency`);
  const dates = inRegion.map((i) => i.effectiveStartDate).filter((d): d is string => Boolean(d)).sort();
  return {
    format: PRICE_SHEET_FORMAT, region: inRegion[0]!.armRegionName, currency: inRegion[0]!.currencyCode ?? o.BillingCurrency ?? 'USD',
    fetchedAt: fallback.fetchedAt ?? dates[dates.length - 1] ?? new Date(0).toISOString(), source, items: inRegion,
  };
}

export async function loadPriceSheet(path: string, options: { region?: string; currency?: string } = {}): Promise<PriceSheet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new PriceError(`cannot read the price sheet ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const sheet = parsePriceSheet(text, path, { ...(options.region && { region: options.region }), ...(options.currency && { currency: options.currency }) });
  if (options.region && sheet.region.toLowerCase() !== options.region.toLowerCase()) throw new PriceError(`${path} holds prices for ${sheet.region}, not ${options.region}`);
  if (options.currency && sheet.currency.toUpperCase() !== options.currency.toUpperCase()) throw new PriceError(`${path} holds prices in ${sheet.currency}, not ${options.currency}`);
  return sheet;
}

export async function savePriceSheet(path: string, sheet: PriceSheet): Promise<void> {
  await writeFile(path, `${JSON.stringify(sheet, null, 2)}\n`);
}

/** The SQL Managed Instance price sheet of a region: from the cache while fresh, else from the API. */
export async function fetchPriceSheet(options: FetchPricesOptions): Promise<PriceSheet & { fromCache: boolean }> {
  const endpoint = (options.endpoint ?? PUBLIC_RETAIL_PRICES_ENDPOINT).replace(/\/+$/, '');
  const currency = (options.currency ?? 'USD').toUpperCase();
  const region = options.region.toLowerCase().replace(/\s+/g, '');
  const now = options.now ?? (() => new Date());
  const dir = options.cacheDir === false ? undefined : options.cacheDir ?? defaultCacheDir();
  const file = dir ? cacheFile(dir, endpoint, region, currency) : undefined;
  if (file && !options.refresh) {
    const cached = await readFile(file, 'utf8').then((t) => parsePriceSheet(t, file), () => undefined);
    if (cached && now().getTime() - Date.parse(cached.fetchedAt) < (options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS)) return { ...cached, fromCache: true };
  }
  const http = options.fetch ?? fetch;
  const items: RetailPriceItem[] = [];
  let url: string | null | undefined = retailPricesUrl(endpoint, region, currency);
  for (let page = 0; url && page < MAX_PAGES; page++) {
    let res: Response;
    try {
      res = await http(url, { headers: { accept: 'application/json' }, ...(options.signal && { signal: options.signal }) });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw new PriceError(`cannot reach the Azure Retail Prices API at ${endpoint}: ${(e as Error).message}${(e as { cause?: Error }).cause ? ` (${(e as { cause: Error }).cause.message})` : ''}. Without internet, give a saved price sheet with --prices FILE.`);
    }
    const text = await res.text();
    if (!res.ok) throw new PriceError(`the Azure Retail Prices API answered ${res.status}${text ? `: ${text.slice(0, 300)}` : ''}`);
    let body: RetailPricesPage;
    try {
      body = JSON.parse(text) as RetailPricesPage;
    } catch {
      throw new PriceError(`the Azure Retail Prices API answered something that is not JSON (${text.slice(0, 80)})`);
    }
    items.push(...(body.Items ?? []));
    url = body.NextPageLink;
  }
  if (!items.length) throw new PriceError(`the Azure Retail Prices API lists no SQL Managed Instance prices for region "${region}" in ${currency}: check the region's name (armRegionName, e.g. westeurope)`);
  const sheet: PriceSheet = { format: PRICE_SHEET_FORMAT, region, currency, fetchedAt: now().toISOString(), source: endpoint, items };
  if (file && dir) {
    await mkdir(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(sheet)}\n`);
    await rename(tmp, file);
  }
  return { ...sheet, fromCache: false };
}
