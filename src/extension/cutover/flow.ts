/**
 * Complete Cutover, Cancel and Delete: pick one or many migrations, check each with the rules
 * (and, for a cutover, the core's guard, which reads the migration again), confirm in a modal
 * that shows the pending log backups and what can be lost, run with progress, and report each
 * result. The UI is an interface so the whole flow is tested without VS Code.
 */
import * as l10n from '@vscode/l10n';
import { ActionableError, describeError, isCancellation } from '../errors';
import { targetOf, type DatabaseMigrationJson } from '../dashboard/dmsShape';
import { pendingLogBackups, statusOf, type Allowed, type MigrationRules } from '../dashboard/statusRules';
import type { MigrationOperations } from '../services/types';

export type MigrationAction = 'cutover' | 'cancel' | 'delete';

export interface PickItem {
  label: string;
  description: string;
  migration: DatabaseMigrationJson;
}

export interface FlowUi {
  pickMany(items: PickItem[], placeHolder: string): Promise<DatabaseMigrationJson[] | undefined>;
  confirm(message: string, detail: string, button: string): Promise<boolean>;
  progress<T>(title: string, task: (report: (message: string) => void, signal: AbortSignal) => Promise<T>): Promise<T>;
  info(message: string): void;
  error(message: string): void;
  /** Details for the log (the UI shows the short form). */
  log(message: string): void;
}

export interface Outcome {
  migration: DatabaseMigrationJson;
  ok: boolean;
  error?: string;
}

function allowed(action: MigrationAction, rules: MigrationRules, m: DatabaseMigrationJson): Allowed {
  return action === 'cutover' ? rules.canCutover(m) : action === 'cancel' ? rules.canCancel(m) : rules.canDelete(m);
}

function nameOf(m: DatabaseMigrationJson): string {
  const t = targetOf(m);
  return t.managedInstance ? `${t.database} (${t.managedInstance})` : t.database;
}

const texts = {
  cutover: {
    none: () => l10n.t('No migration is ready for cutover.'),
    pick: () => l10n.t('Select the migrations to complete'),
    confirm: (n: number) => (n === 1 ? l10n.t('Complete the cutover of 1 database?') : l10n.t('Complete the cutover of {0} databases?', n)),
    button: () => l10n.t('Tail-Log Backup Taken: Complete Cutover'),
    progress: () => l10n.t('Completing cutover'),
    done: (names: string) => l10n.t('Cutover completed: {0}. The databases are online on the target.', names),
    failed: () => l10n.t('Cutover'),
  },
  cancel: {
    none: () => l10n.t('No migration can be canceled now.'),
    pick: () => l10n.t('Select the migrations to cancel'),
    confirm: (n: number) => (n === 1 ? l10n.t('Cancel 1 migration?') : l10n.t('Cancel {0} migrations?', n)),
    button: () => l10n.t('Cancel Migration'),
    progress: () => l10n.t('Canceling migrations'),
    done: (names: string) => l10n.t('Canceled: {0}.', names),
    failed: () => l10n.t('Cancel'),
  },
  delete: {
    none: () => l10n.t('No migration can be deleted now: only finished, failed or canceled ones can.'),
    pick: () => l10n.t('Select the migrations to delete'),
    confirm: (n: number) => (n === 1 ? l10n.t('Delete 1 migration record?') : l10n.t('Delete {0} migration records?', n)),
    button: () => l10n.t('Delete'),
    progress: () => l10n.t('Deleting migrations'),
    done: (names: string) => l10n.t('Deleted: {0}.', names),
    failed: () => l10n.t('Delete'),
  },
};

function confirmDetail(action: MigrationAction, list: DatabaseMigrationJson[], notReady: ReadonlyMap<DatabaseMigrationJson, string> = new Map()): string {
  if (action === 'cutover') {
    const lines = list.map((m) => {
      const pending = pendingLogBackups(m);
      const line = pending === undefined
        ? l10n.t('{0}: pending log backups unknown', nameOf(m))
        : pending === 1 ? l10n.t('{0}: 1 log backup pending restore', nameOf(m)) : l10n.t('{0}: {1} log backups pending restore', nameOf(m), pending);
      const why = notReady.get(m);
      return why ? `${line}; ${why}` : line;
    });
    const pendingAny = list.some((m) => (pendingLogBackups(m) ?? 1) > 0);
    return [
      ...lines,
      '',
      l10n.t('Before completing: stop all transactions on the source, take the tail-log backup into the backup location, and wait until it is restored.'),
      l10n.t('Confirm only when writes to the source are stopped and the tail-log backup is in the backup location.'),
      pendingAny ? l10n.t('Some log backups are not restored yet.') : '',
      l10n.t('Completing cutover without restoring all the backups may result in data loss.'),
    ].filter((line, i, all) => line !== '' || all[i - 1] !== '').join('\n');
  }
  const names = list.map(nameOf).join('\n');
  return action === 'cancel'
    ? `${names}\n\n${l10n.t('The restore stops and the partly restored database is removed from the target. The source is not changed.')}`
    : `${names}\n\n${l10n.t('Only the migration record is deleted; databases on the target and backups are not changed.')}`;
}

/** Runs one action end to end; returns what happened to each migration it ran on. */
export async function runMigrationAction(
  action: MigrationAction,
  chosen: readonly DatabaseMigrationJson[] | undefined,
  listAll: (signal: AbortSignal) => Promise<DatabaseMigrationJson[]>,
  rules: MigrationRules,
  ops: MigrationOperations,
  ui: FlowUi,
  signal: AbortSignal,
): Promise<Outcome[]> {
  const t = texts[action];
  if (!ops.availability.available) throw new ActionableError(ops.availability.reason, l10n.t('Manage this migration in the Azure portal for now.'));

  let selection: DatabaseMigrationJson[];
  if (chosen && chosen.length) {
    selection = [...chosen];
  } else {
    const candidates = (await listAll(signal)).filter((m) => allowed(action, rules, m).ok);
    if (candidates.length === 0) {
      ui.info(t.none());
      return [];
    }
    const items = candidates.map((m) => ({
      label: targetOf(m).database,
      description: [statusOf(m), targetOf(m).managedInstance, action === 'cutover' ? l10n.t('{0} log backups pending', pendingLogBackups(m) ?? '?') : undefined].filter(Boolean).join(' · '),
      migration: m,
    }));
    const picked = await ui.pickMany(items, t.pick());
    if (!picked || picked.length === 0) return [];
    selection = picked;
  }

  const refused = selection.map((m) => [m, allowed(action, rules, m)] as const).filter(([, a]) => !a.ok);
  let go = selection.filter((m) => allowed(action, rules, m).ok);
  const skipped: string[] = refused.map(([m, a]) => `${nameOf(m)}: ${(a as { reason: string }).reason}`);

  // Migrations the service does not call ready although nothing is left to restore: why that is safe.
  const notReady = new Map<DatabaseMigrationJson, string>();
  /** What the guard could not check from here (a network share), for the DBA to confirm. */
  const unchecked: string[] = [];
  if (action === 'cutover' && go.length) {
    const checked = await ui.progress(l10n.t('Checking the migrations and their backup locations'), async (_report, s) => {
      const out: DatabaseMigrationJson[] = [];
      for (const m of go) {
        try {
          const guard = await ops.guardCutover(m, s);
          out.push(guard.migration);
          if (guard.notReadyOnly) notReady.set(guard.migration, guard.notReadyOnly);
          for (const w of guard.warnings ?? []) unchecked.push(`${nameOf(guard.migration)}: ${w}`);
        } catch (e) {
          if (isCancellation(e)) throw e;
          skipped.push(`${nameOf(m)}: ${(e as Error).message}`);
        }
      }
      return out;
    });
    go = checked;
  }

  if (go.length === 0) {
    ui.error(`${l10n.t('Nothing was done.')} ${skipped.join(' ')}`);
    return [];
  }

  const detail = confirmDetail(action, go, notReady) + (unchecked.length ? `\n\n${l10n.t('Not checked from here:')}\n${unchecked.join('\n')}` : '') + (skipped.length ? `\n\n${l10n.t('Left out:')}\n${skipped.join('\n')}` : '');
  if (!(await ui.confirm(t.confirm(go.length), detail, t.button()))) return [];

  const outcomes = await ui.progress(t.progress(), async (report, s) => {
    const out: Outcome[] = [];
    for (const [i, m] of go.entries()) {
      report(`${nameOf(m)} (${i + 1}/${go.length})`);
      try {
        if (action === 'cutover') {
          const why = notReady.get(m);
          // Done means the service says Succeeded: the progress shows Completing until then.
          await ops.cutover(m, s, { ...(why && { acceptNotReady: l10n.t('confirmed in the editor: {0}', why) }), onStatus: (status) => report(`${nameOf(m)}: ${status}`) });
        }
        else if (action === 'cancel') await ops.cancel(m, s);
        else await ops.delete(m, s);
        out.push({ migration: m, ok: true });
      } catch (e) {
        if (isCancellation(e) || s.aborted) {
          out.push({ migration: m, ok: false, error: l10n.t('stopped before it ran') });
          continue;
        }
        const r = describeError(e, t.failed());
        ui.log(`${nameOf(m)}: ${r.detail}`);
        out.push({ migration: m, ok: false, error: `${r.message} ${r.next}` });
      }
    }
    return out;
  });

  const ok = outcomes.filter((o) => o.ok).map((o) => nameOf(o.migration));
  const failed = outcomes.filter((o) => !o.ok);
  if (ok.length) ui.info(t.done(ok.join(', ')));
  if (failed.length) ui.error(failed.map((f) => `${nameOf(f.migration)}: ${f.error}`).join('\n'));
  return outcomes;
}
