/** What the `sqlmig log-replay` commands share: naming restores, and how one is printed. */
import { parseArmId } from '../../core/azure/armId';
import { restoreRefFromId, type RestoreRef } from '../../core/azure/lrs/models';
import type { LrsRestoreView } from '../../core/migration/lrsStatus';
import { table } from '../../core/text';
import { str, strs } from '../azureArgs';
import { UsageError, type Values } from '../command';

export const RESTORE_OPTIONS = {
  restore: { type: 'string' as const, multiple: true },
  target: { type: 'string' as const },
  database: { type: 'string' as const, multiple: true },
};

export const RESTORE_HELP = `Which restores (repeat for many):
  --restore ID           a restoring database's resource id (…/managedInstances/MI/databases/DB), or:
  --target MI_ID         the managed instance's resource id, with
  --database NAME        each target database name`;

export function restoreRefsFrom(values: Values, needDatabases = true): RestoreRef[] {
  const refs: RestoreRef[] = [];
  try {
    for (const id of strs(values, 'restore')) refs.push(restoreRefFromId(id));
    const target = str(values, 'target');
    const dbs = strs(values, 'database');
    if (target || dbs.length) {
      if (!target || (needDatabases && !dbs.length)) throw new Error('--target and --database go together');
      const mi = parseArmId(target);
      for (const db of dbs) refs.push({ subscriptionId: mi.subscriptionId, resourceGroup: mi.resourceGroup, managedInstance: mi.name, targetDatabase: db });
    }
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return refs;
}

/** A restore in detail: its status, progress, problems and every backup file. */
export function describeRestore(v: LrsRestoreView): string {
  const lines = [
    `${v.ref.targetDatabase}: ${v.status}  (database ${v.databaseStatus}${v.restoreStatus ? `, restore ${v.restoreStatus}` : ''}${v.mode ? `, ${v.mode}` : ''}` +
      `${v.sourceDatabase ? `, source ${v.sourceDatabase}` : ''}${v.folder ? `, from ${v.folder}/` : ''})`,
    ...(v.detailed
      ? [`  full backup restored: ${v.fullBackupRestored ? 'yes' : 'no'}; restoring: ${v.currentRestoringFile ?? '-'}; last restored: ${v.lastRestoredFile ?? '-'}` +
          `${v.percentCompleted !== undefined ? `; ${v.percentCompleted}% of the current plan` : ''}` +
          `${v.deadline && !['Succeeded', 'Failed'].includes(v.status) ? `; the 30-day limit ends it ${v.deadline.slice(0, 16).replace('T', ' ')} UTC` : ''}`]
      : []),
    ...v.problems.map((p) => `  ! ${p}`),
  ];
  if (v.files.length) lines.push(table([['File', 'Type', 'State', 'Note'], ...v.files.map((f) => [f.fileName, f.backupType ?? '', f.state, f.reason ?? f.rawStatus ?? ''])], '    '));
  return lines.join('\n');
}

/** A view without anything the faces do not need in JSON. */
export function restoreJson(v: LrsRestoreView) {
  const { ref: _ref, ...rest } = v;
  return { ...rest, database: v.ref.targetDatabase };
}
