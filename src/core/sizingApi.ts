/**
 * The sizing, baseline and validation features as the faces call them: one function per user
 * action, each taking plain options and returning a plain result (and a report's HTML when the
 * face shows one). The wizard's target step calls sizeFromFolder(); the dashboard's Validate
 * calls validateDatabases() and Compare Baseline calls compareBaselineFolders(). Long work takes
 * an AbortSignal and reports progress; nothing here imports a face.
 */
import type { AssessmentReport } from './assessment/report';
import { openSeries, type OpenedSeries } from './perf';
import { fetchPriceSheet, loadPriceSheet, PriceError, type LicenseModel, type PriceSheet } from './pricing';
import { assessmentFacts, limitsTable, recommendationToHtml, recommendSku, type InstanceRecommendation, type RecommendOptions } from './sku';
import type { QueryOptions, SourceConnection } from './source/connection';
import { baselineComparisonToHtml, compareBaselines, loadBaseline, validateDatabase, validationToHtml, type BaselineComparison, type ValidationOptions, type ValidationReport } from './validation';

export interface SizingRequest {
  /** A sqlmig collection folder, or a folder of Microsoft's collector CSV files. */
  data: string;
  percentile?: number;
  scaleFactor?: number;
  databases?: string[];
  window?: { from?: number; to?: number };
  /** Which instance, when a Microsoft collection holds several. */
  instance?: string;
  tiers?: RecommendOptions['tiers'];
  hardware?: RecommendOptions['hardware'];
  maxIoLatencyMs?: number;
  limitsVersion?: string;
  assessment?: AssessmentReport;
  /** Prices: a sheet already read, a file, or the API for a region (endpoint: a cloud's, or the sandbox's). */
  prices?: { sheet?: PriceSheet; file?: string; region?: string; currency?: string; endpoint?: string; cacheDir?: string | false; license?: LicenseModel };
  signal?: AbortSignal;
}

export interface SizingResult {
  recommendation: InstanceRecommendation;
  html: string;
  /** What reading the data said (import assumptions, restarts...). */
  notes: string[];
  /** Why there are no prices, when prices were asked for and could not be read. */
  priceError?: string;
}

export async function sizeFromFolder(req: SizingRequest): Promise<SizingResult> {
  const opened: OpenedSeries = await openSeries(req.data, { ...(req.instance && { instance: req.instance }), ...(req.window && { window: req.window }) });
  let sheet = req.prices?.sheet;
  let priceError: string | undefined;
  try {
    if (!sheet && req.prices?.file) sheet = await loadPriceSheet(req.prices.file, { ...(req.prices.region && { region: req.prices.region }), ...(req.prices.currency && { currency: req.prices.currency }) });
    else if (!sheet && req.prices?.region) {
      sheet = await fetchPriceSheet({
        region: req.prices.region, ...(req.prices.currency && { currency: req.prices.currency }), ...(req.prices.endpoint && { endpoint: req.prices.endpoint }),
        ...(req.prices.cacheDir !== undefined && { cacheDir: req.prices.cacheDir }), ...(req.signal && { signal: req.signal }),
      });
    }
  } catch (e) {
    if (!(e instanceof PriceError)) throw e;
    priceError = e.message;
  }
  const recommendation = recommendSku(opened.series, {
    ...(req.percentile !== undefined && { percentile: req.percentile }), ...(req.scaleFactor !== undefined && { scaleFactor: req.scaleFactor }),
    ...(req.databases?.length && { databases: req.databases }), ...(req.tiers && { tiers: req.tiers }), ...(req.hardware && { hardware: req.hardware }),
    ...(req.maxIoLatencyMs !== undefined && { maxIoLatencyMs: req.maxIoLatencyMs }), limits: limitsTable(req.limitsVersion),
    ...(req.assessment && { assessment: assessmentFacts(req.assessment) }), ...(sheet && { prices: sheet }), ...(req.prices?.license && { license: req.prices.license }),
  });
  recommendation.notes.push(...opened.notes.filter((n) => !recommendation.notes.includes(n)));
  return { recommendation, html: recommendationToHtml(recommendation), notes: opened.notes, ...(priceError && { priceError }) };
}

export interface DatabaseToValidate {
  name: string;
  /** Its name on the target, when it differs. */
  target?: string;
}

export interface ValidationOutcome {
  database: string;
  report?: ValidationReport;
  html?: string;
  /** Why it could not be validated (the database is missing, a permission...). */
  error?: string;
}

/** Validates databases one after the other over the two open connections; each result as it comes. */
export async function validateDatabases(
  source: SourceConnection,
  target: SourceConnection,
  databases: DatabaseToValidate[],
  options: Omit<ValidationOptions, 'database' | 'targetDatabase'> & { onResult?: (r: ValidationOutcome) => void } = {},
): Promise<ValidationOutcome[]> {
  const out: ValidationOutcome[] = [];
  for (const d of databases) {
    let r: ValidationOutcome;
    try {
      const report = await validateDatabase(source, target, { ...options, database: d.name, ...(d.target && { targetDatabase: d.target }) });
      r = { database: d.name, report, html: validationToHtml(report) };
    } catch (e) {
      if ((options as QueryOptions).signal?.aborted) throw e;
      r = { database: d.name, error: (e as Error).message };
    }
    out.push(r);
    options.onResult?.(r);
  }
  return out;
}

export async function compareBaselineFolders(before: string, after: string, options: { top?: number; threshold?: number } = {}): Promise<{ comparison: BaselineComparison; html: string }> {
  const comparison = compareBaselines(await loadBaseline(before), await loadBaseline(after), options);
  return { comparison, html: baselineComparisonToHtml(comparison) };
}
