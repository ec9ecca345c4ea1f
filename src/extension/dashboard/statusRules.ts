/**
 * Which group a migration belongs to and which actions it allows: the core's own predicates
 * (src/core/migration/status.ts, the same ones sqlmig uses), with the reason a user reads when
 * an action is refused. Pure functions, loaded with the view (no Azure SDK behind them).
 */
import { checkCutover } from '../../core/migration/cutover';
import { canCancel, canCutover, canDelete, statusOf as coreStatusOf } from '../../core/migration/status';
import type { DatabaseMigrationSqlMi } from '../../core/azure/dms/models';
import type { DatabaseMigrationJson } from './dmsShape';

export type StatusGroup = 'ready' | 'inProgress' | 'completing' | 'failed' | 'succeeded' | 'canceled';

export const GROUP_ORDER: readonly StatusGroup[] = ['ready', 'inProgress', 'completing', 'failed', 'succeeded', 'canceled'];

export type Allowed = { ok: true } | { ok: false; reason: string };

export interface MigrationRules {
  canCutover(m: DatabaseMigrationJson): Allowed;
  canCancel(m: DatabaseMigrationJson): Allowed;
  canDelete(m: DatabaseMigrationJson): Allowed;
}

/** The service's JSON as the core's model (the same wire shape, read by the same code). */
export const asCore = (m: DatabaseMigrationJson) => m as unknown as DatabaseMigrationSqlMi;

/** The status to show: migrationStatus, or what provisioning says while the service has none yet. */
export function statusOf(m: DatabaseMigrationJson): string {
  return coreStatusOf(asCore(m));
}

export function groupOf(status: string): StatusGroup {
  const s = status.toLowerCase();
  if (s === 'readyforcutover') return 'ready';
  if (s === 'completing') return 'completing';
  if (s === 'failed') return 'failed';
  if (s === 'succeeded') return 'succeeded';
  if (s === 'canceled' || s === 'cancelled') return 'canceled';
  // InProgress, Creating, Uploading*, Restoring, Retriable, Canceling, and any state the service adds later.
  return 'inProgress';
}

export function isOffline(m: DatabaseMigrationJson): boolean {
  return m.properties?.offlineConfiguration?.offline === true;
}

export const coreRules: MigrationRules = {
  canCutover(m) {
    if (canCutover(asCore(m))) return { ok: true };
    return { ok: false, reason: checkCutover(asCore(m)).blockers[0] ?? `the migration is ${statusOf(m)}` };
  },
  canCancel(m) {
    if (canCancel(asCore(m))) return { ok: true };
    const status = statusOf(m);
    return { ok: false, reason: m.properties?.migrationOperationId ? `a migration that is ${status} cannot be canceled` : 'the service reports no migration operation to cancel' };
  },
  canDelete(m) {
    return canDelete(asCore(m)) ? { ok: true } : { ok: false, reason: `a migration that is ${statusOf(m)} must be canceled or completed before it is deleted` };
  },
};
