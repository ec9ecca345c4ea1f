/**
 * Several source servers assessed into one report (fleetReport.ts): a few at a time, with the
 * same login and options; one that cannot be reached, refuses the login or lacks a named
 * database is reported with why and never stops the others; cancelling stops them all.
 */
import { mapBounded } from '../backup/scan';
import { limitsTable, TIER_NAMES } from '../sku/miLimits';
import type { SourceConnectionOptions } from '../source/connection';
import { SourceError } from '../source/errors';
import { FLEET_REPORT_FORMAT, FLEET_REPORT_FORMAT_VERSION, summarizeFleet, type FleetReport, type FleetServerResult } from './fleetReport';
import { AssessmentInputError, assessServer, type AssessmentOptions, type AssessmentProgress } from './runner';

declare const SQLMIG_VERSION: string | undefined;

export interface FleetProgress extends AssessmentProgress {
  /** The server this is about. */
  server: string;
  serversDone: number;
  servers: number;
}

export interface FleetOptions extends Omit<AssessmentOptions, 'onProgress'> {
  /** Servers assessed at once (default 4). */
  parallel?: number;
  onProgress?: (p: FleetProgress) => void;
}

/**
 * Assesses every server with the same login and options. A server that cannot be reached,
 * refuses the login or lacks a named database is reported with why; cancelling stops them all.
 */
export async function assessServers(addresses: readonly string[], connection: Omit<SourceConnectionOptions, 'server'>, options: FleetOptions = {}): Promise<FleetReport> {
  const started = performance.now();
  const { parallel, onProgress, ...single } = options;
  const tier = single.tier ?? 'general-purpose';
  const limits = limitsTable(single.limitsVersion);
  let serversDone = 0;
  const results = await mapBounded(
    addresses,
    Math.max(1, parallel ?? 4),
    async (address): Promise<FleetServerResult> => {
      try {
        const report = await assessServer({ ...connection, server: address }, {
          ...single,
          ...(onProgress && { onProgress: (p) => onProgress({ ...p, server: address, serversDone, servers: addresses.length }) }),
        });
        return { address, report };
      } catch (err) {
        if (single.signal?.aborted) throw err;
        if (err instanceof SourceError) return { address, error: { kind: err.kind, message: err.message } };
        if (err instanceof AssessmentInputError) return { address, error: { kind: 'input', message: err.message } };
        return { address, error: { kind: 'failed', message: (err as Error).message } };
      } finally {
        serversDone++;
      }
    },
    single.signal,
  );
  return {
    format: FLEET_REPORT_FORMAT,
    formatVersion: FLEET_REPORT_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - started),
    tool: { name: 'sqlmig', version: typeof SQLMIG_VERSION === 'string' ? SQLMIG_VERSION : 'dev' },
    target: { platform: 'AzureSqlManagedInstance', tier, tierName: TIER_NAMES[tier], mode: single.mode ?? 'online', limitsVersion: limits.version },
    summary: summarizeFleet(results),
    servers: results,
  };
}

