/**
 * Validate a migrated database, and Compare Baseline, from the editor: the source against its copy on the managed
 * instance (the core's validateDatabase: objects, rows, checksums, options, users, TDE), read-only
 * on both sides, as a self-contained HTML report. The instance's address comes from ARM (its host
 * name, through the cloud's endpoint mapping). Passwords are handed in by the caller, used for
 * this run and never kept. No `vscode` here.
 */
import { parseArmId } from '../../core/azure/armId';
import { contextFor } from './azureContext';
import { loadCore } from './loadCore';
import { sourceOptions } from './sourceService';
import type { SignedInAccount, SourceConnectionInfo } from './types';

/** Where the managed instance answers over TDS, and the login to use there. */
export interface ValidationTarget {
  server: string;
  user: string;
  password: string;
  hostNameInCertificate?: string;
  trustedCertificates?: string;
}

export interface ValidationRequest {
  source: SourceConnectionInfo;
  /** The source login's password (or Entra token). */
  sourceSecret: string;
  target: ValidationTarget;
  database: string;
  targetDatabase: string;
}

export interface ValidationOutcome {
  passed: boolean;
  /** The report's first line (database and verdict). */
  summary: string;
  html: string;
}

/** Scripts never run in the report: it is shown under a CSP that allows its inline style only. */
const CSP = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`;

export function withCsp(html: string): string {
  return /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (h) => `${h}\n${CSP}`) : `${CSP}\n${html}`;
}

/** The TDS address of a managed instance, from ARM (its host name, mapped by the cloud when it maps it). */
export async function targetAddress(account: SignedInAccount, instanceId: string, signal: AbortSignal): Promise<Omit<ValidationTarget, 'user' | 'password'>> {
  const core = await loadCore();
  const id = parseArmId(instanceId);
  const mi = await core.getManagedInstance(contextFor(account), id.subscriptionId, id.resourceGroup, id.name, signal);
  if (!mi.fullyQualifiedDomainName) throw new Error(`Azure Resource Manager gives no host name for ${mi.name ?? id.name}`);
  const e = core.targetEndpoint(mi.fullyQualifiedDomainName, { cloud: account.cloud });
  return { server: e.server, ...(e.hostNameInCertificate && { hostNameInCertificate: e.hostNameInCertificate }), ...(e.trustedCertificates && { trustedCertificates: e.trustedCertificates }) };
}

/** A SQL connection to a managed instance with a login on it (the address from `targetAddress`). */
export async function connectInstance(t: ValidationTarget, signal: AbortSignal) {
  const core = await loadCore();
  return core.connectTarget({
    server: t.server,
    auth: { kind: 'sql', user: t.user, password: t.password },
    encrypt: 'mandatory',
    applicationName: 'Azure SQL Migration for VS Code',
    ...(t.hostNameInCertificate && { hostNameInCertificate: t.hostNameInCertificate }),
    ...(t.trustedCertificates && { trustedCertificates: t.trustedCertificates }),
  }, { signal });
}

export interface BaselineRequest {
  target: ValidationTarget;
  /** The baseline captured on the source before the migration (`sqlmig baseline capture`). */
  beforeFolder: string;
  /** Where the target's baseline goes (a new folder). */
  afterFolder: string;
  durationSec: number;
  intervalSec?: number;
  /** Tests run the collection on their own clock. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

export interface BaselineOutcome {
  /** A metric or a query got worse beyond the threshold. */
  worse: boolean;
  summary: string;
  html: string;
}

/**
 * Compare Baseline: captures the same counters and top queries on the instance for a while
 * (cancel stops early and still compares), then compares with the source's baseline.
 */
export async function compareWithBaseline(req: BaselineRequest, signal: AbortSignal, onProgress?: (fraction: number) => void): Promise<BaselineOutcome> {
  const core = await loadCore();
  const before = await core.loadBaseline(req.beforeFolder);
  const target = await connectInstance(req.target, signal);
  try {
    await core.captureBaseline(target, {
      folder: req.afterFolder, label: 'target', durationSec: req.durationSec, signal,
      ...(req.intervalSec !== undefined && { intervalSec: req.intervalSec }),
      ...(req.sleep && { sleep: req.sleep }),
      ...(req.now && { now: req.now }),
      ...(onProgress && { onProgress: (p: { taken: number; planned: number }) => onProgress(p.planned ? p.taken / p.planned : 0) }),
    });
  } finally {
    await target.close();
  }
  const c = core.compareBaselines(before, await core.loadBaseline(req.afterFolder));
  const worse = c.metrics.some((m) => m.verdict === 'worse') || c.queries.some((q) => q.verdict === 'slower');
  return { worse, summary: core.formatBaselineComparison(c).split('\n')[0] ?? '', html: withCsp(core.baselineComparisonToHtml(c)) };
}

export async function validateMigrated(req: ValidationRequest, signal: AbortSignal): Promise<ValidationOutcome> {
  const core = await loadCore();
  const source = await core.connectSource(sourceOptions(req.source, req.sourceSecret), { signal });
  try {
    const target = await connectInstance(req.target, signal);
    try {
      const r = await core.validateDatabase(source, target, { database: req.database, targetDatabase: req.targetDatabase, phase: 'final', signal });
      return { passed: r.passed, summary: core.formatValidation(r).split('\n')[0] ?? '', html: withCsp(core.validationToHtml(r)) };
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}
