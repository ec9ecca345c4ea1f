/**
 * Which group a migration belongs to and which actions it allows, read from its status as the
 * service reports it. These follow the service's documented behaviour (cutover only once the
 * full backup is restored and nothing blocks the restore; delete only when finished). They sit
 * behind `MigrationRules` so the core's own predicates can replace them without touching views.
 */
import type { DatabaseMigrationJson } from './dmsShape';

export type StatusGroup = 'ready' | 'inProgress' | 'completing' | 'failed' | 'succeeded' | 'canceled';

export const GROUP_ORDER: readonly StatusGroup[] = ['ready', 'inProgress', 'completing', 'failed', 'succeeded', 'canceled'];

export type Allowed = { ok: true } | { ok: false; reason: string };

export interface MigrationRules {
  canCutover(m: DatabaseMigrationJson): Allowed;
  canCancel(m: DatabaseMigrationJson): Allowed;
  canDelete(m: DatabaseMigrationJson): Allowed;
}

/** The status to show: migrationStatus, or what provisioning says while the service has none yet. */
export function statusOf(m: DatabaseMigrationJson): string {
  const p = m.properties;
  if (p?.migrationStatus) return p.migrationStatus;
  if (p?.provisioningState === 'Failed') return 'Failed';
  if (p?.provisioningState === 'Succeeded') return 'InProgress';
  return p?.provisioningState === 'Canceled' ? 'Canceled' : 'Creating';
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

const CANCELABLE = new Set(['inprogress', 'retriable', 'creating', 'readyforcutover', 'uploadingfullbackup', 'uploadinglogbackup', 'restoring']);
const DELETABLE = new Set(['canceled', 'cancelled', 'failed', 'retriable', 'succeeded']);

export const documentedRules: MigrationRules = {
  canCutover(m) {
    const status = statusOf(m);
    const d = m.properties?.migrationStatusDetails;
    if (isOffline(m)) return { ok: false, reason: 'offline migrations complete by themselves after the last backup is restored' };
    if (!m.properties?.migrationOperationId) return { ok: false, reason: 'the service has not assigned an operation to this migration yet' };
    const s = status.toLowerCase();
    if (s !== 'readyforcutover' && s !== 'inprogress') return { ok: false, reason: `the migration is ${status}` };
    if (!(d?.isFullBackupRestored || d?.lastRestoredFilename)) return { ok: false, reason: 'the full backup is not restored yet' };
    if (d?.restoreBlockingReason) return { ok: false, reason: `the restore is blocked: ${d.restoreBlockingReason}` };
    return { ok: true };
  },
  canCancel(m) {
    const status = statusOf(m);
    return CANCELABLE.has(status.toLowerCase()) ? { ok: true } : { ok: false, reason: `a migration that is ${status} cannot be canceled` };
  },
  canDelete(m) {
    const status = statusOf(m);
    return DELETABLE.has(status.toLowerCase()) ? { ok: true } : { ok: false, reason: `a migration that is ${status} must be canceled or completed before it is deleted` };
  },
};
