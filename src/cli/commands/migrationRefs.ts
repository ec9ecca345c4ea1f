/** What the `sqlmig migrate` commands share: naming migrations, concurrency, cancellation. */
import { migrationRefFromId, type MigrationRef } from '../../core/azure/dms/client';
import { parseArmId } from '../../core/azure/armId';
import { str, strs } from '../azureArgs';
import { UsageError, type Io, type Values } from '../command';

export const REF_OPTIONS = {
  migration: { type: 'string' as const, multiple: true },
  target: { type: 'string' as const },
  database: { type: 'string' as const, multiple: true },
};
export const REF_HELP = `Which migrations (repeat for many):
  --migration ID         a database migration's resource id
                         (…/managedInstances/MI/providers/Microsoft.DataMigration/databaseMigrations/DB), or:
  --target MI_ID         the target managed instance's resource id, with
  --database NAME        each target database name`;

export function refsFrom(values: Values): MigrationRef[] {
  const refs: MigrationRef[] = [];
  try {
    for (const id of strs(values, 'migration')) refs.push(migrationRefFromId(id));
    const target = str(values, 'target');
    const dbs = strs(values, 'database');
    if (target || dbs.length) {
      if (!target || !dbs.length) throw new Error('--target and --database go together');
      const mi = parseArmId(target);
      for (const db of dbs) refs.push({ subscriptionId: mi.subscriptionId, resourceGroup: mi.resourceGroup, managedInstance: mi.name, targetDatabase: db });
    }
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return refs;
}

/**
 * --concurrency: how many databases are handled at once (default 4). The requests themselves
 * keep within ARM's limits whatever the number (the session's request budget paces them).
 */
export function concurrencyOf(values: Values): number {
  const n = Number(str(values, 'concurrency') ?? 4);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new UsageError('--concurrency must be a whole number from 1 to 100');
  return n;
}

export function signalOf(io: Io) {
  return io.signal ? { signal: io.signal } : {};
}
