/**
 * The sandbox's Azure Retail Prices API: answers GET /api/retail/prices from a recorded answer
 * (sandbox/prices/retail-prices.json: SQL Managed Instance meters for eastus in USD and westeurope
 * in USD and EUR), with what the real API does that the product relies on: the OData $filter of
 * `eq` terms joined by `and` (values case-sensitive, as since api-version 2023-01-01-preview),
 * currencyCode, paging with NextPageLink ($skip), and a 400 with the API's error shape for a
 * filter it cannot read.
 *
 *   const prices = await startPricesServer();          // its own loopback port
 *   prices.endpoint   // http://127.0.0.1:PORT/api/retail/prices: a cloud's retailPricesEndpoint
 *
 * Wiring (not done here; sandbox.ts and the ARM emulator are being changed elsewhere): either
 * start it next to the source server in startSandbox() and stop it with the rest, or mount
 * `answerRetailPrices` on the ARM emulator's server for the path /api/retail/prices (it needs no
 * token: the real API takes none); then write `"retailPricesEndpoint": "<that URL>"` into the
 * sandbox's cloud file, and add the field to the Cloud type and to loadCloudFile
 * (src/core/azure/cloud.ts), which `retailPricesEndpoint(cloud)` in src/core/pricing reads.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { RetailPriceItem } from '../src/core/pricing/model';
import recorded from './prices/retail-prices.json';

export const PRICES_PATH = '/api/retail/prices';
const PAGE_SIZE = 100;

export interface PricesAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The recorded items (a copy; `file` reads another recording in the same shape). */
export function recordedItems(file?: string): RetailPriceItem[] {
  const doc = file ? (JSON.parse(readFileSync(file, 'utf8')) as { Items: RetailPriceItem[] }) : (recorded as unknown as { Items: RetailPriceItem[] });
  return structuredClone(doc.Items);
}

const error = (status: number, code: string, message: string): PricesAnswer => ({
  status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ Error: { Code: code, Message: message } }),
});

/** `a eq 'x' and b eq 'y'`: the terms, or undefined when the filter has anything else. */
function parseFilter(filter: string): [string, string][] | undefined {
  const terms: [string, string][] = [];
  for (const part of filter.split(/\s+and\s+/i)) {
    const m = /^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(part);
    if (!m) return undefined;
    terms.push([m[1]!, m[2]!.replace(/''/g, "'")]);
  }
  return terms;
}

const FIELDS: Record<string, keyof RetailPriceItem> = {
  armregionname: 'armRegionName', location: 'location', metername: 'meterName', meterid: 'meterId', productname: 'productName', productid: 'productId',
  skuname: 'skuName', skuid: 'skuId', servicename: 'serviceName', serviceid: 'serviceId', servicefamily: 'serviceFamily', pricetype: 'type', armskuname: 'armSkuName',
};

/** The answer to one request URL (path and query), from the recorded items. */
export function answerRetailPrices(url: URL, items: RetailPriceItem[] = recordedItems(), pageSize = PAGE_SIZE): PricesAnswer {
  if (url.pathname.replace(/\/+$/, '') !== PRICES_PATH) return error(404, 'NotFound', `No route for ${url.pathname}`);
  const currency = (url.searchParams.get('currencyCode') ?? "'USD'").replace(/^'|'$/g, '').toUpperCase();
  const filter = url.searchParams.get('$filter');
  const terms = filter ? parseFilter(filter) : [];
  if (!terms) return error(400, 'InvalidFilter', `The $filter "${filter}" could not be read: the sandbox takes field eq 'value' terms joined by and`);
  const unknown = terms.find(([f]) => !FIELDS[f.toLowerCase()]);
  if (unknown) return error(400, 'InvalidFilter', `Unknown field ${unknown[0]} in $filter`);
  const matching = items.filter((i) => i.currencyCode === currency && terms.every(([f, v]) => String(i[FIELDS[f.toLowerCase()]!] ?? '') === v));
  const skip = Math.max(0, Number(url.searchParams.get('$skip') ?? 0) || 0);
  const page = matching.slice(skip, skip + pageSize);
  let next: string | null = null;
  if (skip + pageSize < matching.length) {
    const n = new URL(url.toString());
    n.searchParams.set('$skip', String(skip + pageSize));
    next = n.toString();
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ BillingCurrency: currency, CustomerEntityId: 'Default', CustomerEntityType: 'Retail', Items: page, NextPageLink: next, Count: page.length }),
  };
}

export interface RunningPrices {
  endpoint: string;
  requests: string[];
  stop(): Promise<void>;
}

/** A loopback HTTP server answering the Retail Prices API from the recording. */
export async function startPricesServer(options: { host?: string; port?: number; file?: string; pageSize?: number } = {}): Promise<RunningPrices> {
  const host = options.host ?? '127.0.0.1';
  const items = recordedItems(options.file);
  const requests: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? host}`);
    const answer = req.method === 'GET' ? answerRetailPrices(url, items, options.pageSize) : error(405, 'MethodNotAllowed', 'The Retail Prices API takes GET');
    res.writeHead(answer.status, answer.headers).end(answer.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the prices server has no TCP address');
  return {
    endpoint: `http://${host}:${address.port}${PRICES_PATH}`,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Where the recording is, for `--prices FILE` (it reads as a price sheet with --region). */
export const RECORDED_PRICES_FILE = join(__dirname, 'prices', 'retail-prices.json');
