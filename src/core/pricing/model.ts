/**
 * Azure Retail Prices (https://prices.azure.com/api/retail/prices): a public, unauthenticated
 * REST API of list prices. An answer is `{ BillingCurrency, CustomerEntityId, CustomerEntityType,
 * Items: [...], NextPageLink, Count }`; each item is one meter's price in one region and currency.
 * A price sheet is the items we asked for (SQL Managed Instance, one region, one currency), with
 * where and when they were read: every estimate says its region, currency and date.
 */

export interface RetailPriceItem {
  currencyCode: string;
  tierMinimumUnits?: number;
  retailPrice: number;
  unitPrice?: number;
  armRegionName: string;
  location?: string;
  effectiveStartDate?: string;
  meterId?: string;
  meterName: string;
  productId?: string;
  skuId?: string;
  productName: string;
  skuName: string;
  serviceName: string;
  serviceId?: string;
  serviceFamily?: string;
  unitOfMeasure: string;
  /** Consumption, Reservation, DevTestConsumption... */
  type: string;
  isPrimaryMeterRegion?: boolean;
  armSkuName?: string;
  reservationTerm?: string;
}

export interface RetailPricesPage {
  BillingCurrency?: string;
  CustomerEntityId?: string;
  CustomerEntityType?: string;
  Items: RetailPriceItem[];
  NextPageLink?: string | null;
  Count?: number;
}

export const PRICE_SHEET_FORMAT = 'sqlmig-price-sheet';

export interface PriceSheet {
  format: typeof PRICE_SHEET_FORMAT;
  /** armRegionName, e.g. westeurope. */
  region: string;
  /** ISO 4217, e.g. USD. */
  currency: string;
  /** When the prices were read (ISO). */
  fetchedAt: string;
  /** Where from: the API's address, or the file a user gave. */
  source: string;
  items: RetailPriceItem[];
}

export const HOURS_PER_MONTH = 730;
