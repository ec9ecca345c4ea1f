/**
 * Complete Restore (a Log Replay Service restore's cutover) and Stop Restore: pick one or many
 * restores, check each with the core's rules (a completion: the guard, which reads the restore
 * and its backup folder again), confirm in a modal that says what can be lost, run with
 * progress, and report each result. The words and steps are the migrations' (cutover/flow.ts);
 * the UI is an interface so the flow is tested without VS Code.
 */
import * as l10n from '@vscode/l10n';
import type { LrsRestoreView } from '../../core/migration/lrsStatus';
import type { FlowUi } from '../cutover/flow';
import { describeError, isCancellation } from '../errors';
import type { RestoreOperations } from '../services/restoreOperations';
import { canComplete, canStop } from './lrsRows';
import type { Allowed } from './statusRules';

export type RestoreAction = 'complete' | 'stop';

export interface RestorePickItem {
  label: string;
  description: string;
  restore: LrsRestoreView;
}

export interface RestoreFlowUi extends Omit<FlowUi, 'pickMany'> {
  pickRestores(items: RestorePickItem[], placeHolder: string): Promise<LrsRestoreView[] | undefined>;
}

export interface RestoreOutcome {
  restore: LrsRestoreView;
  ok: boolean;
  error?: string;
}

const nameOf = (v: LrsRestoreView) => `${v.ref.targetDatabase} (${v.ref.managedInstance})`;
const allowed = (action: RestoreAction, v: LrsRestoreView): Allowed => (action === 'complete' ? canComplete(v) : canStop(v));

const texts = {
  complete: {
    none: () => l10n.t('No Log Replay Service restore is ready to complete.'),
    pick: () => l10n.t('Select the restores to complete'),
    confirm: (n: number) => (n === 1 ? l10n.t('Complete the restore of 1 database (cutover)?') : l10n.t('Complete the restores of {0} databases (cutover)?', n)),
    button: () => l10n.t('Tail-Log Backup Taken: Complete Cutover'),
    progress: () => l10n.t('Completing restores'),
    done: (names: string) => l10n.t('Restore completed: {0}. The databases are online on the target.', names),
    failed: () => l10n.t('Complete restore'),
  },
  stop: {
    none: () => l10n.t('No Log Replay Service restore can be stopped now: only restores in progress can.'),
    pick: () => l10n.t('Select the restores to stop'),
    confirm: (n: number) => (n === 1 ? l10n.t('Stop 1 restore?') : l10n.t('Stop {0} restores?', n)),
    button: () => l10n.t('Stop Restore'),
    progress: () => l10n.t('Stopping restores'),
    done: (names: string) => l10n.t('Stopped: {0}.', names),
    failed: () => l10n.t('Stop restore'),
  },
};

function confirmDetail(action: RestoreAction, list: LrsRestoreView[]): string {
  const names = list.map((v) => (action === 'complete' ? l10n.t('{0}: last restored {1}', nameOf(v), v.lastRestoredFile ?? '?') : nameOf(v)));
  if (action === 'stop') return `${names.join('\n')}\n\n${l10n.t('The database being restored is deleted from the target; the backups in the container and the source are not changed.')}`;
  return [
    ...names,
    '',
    l10n.t('Before completing: stop all transactions on the source, take the tail-log backup into the backup location, and wait until it is restored.'),
    l10n.t('Confirm only when writes to the source are stopped and the tail-log backup is in the backup location.'),
    l10n.t('Completing cutover without restoring all the backups may result in data loss.'),
  ].join('\n');
}

/** Runs one action end to end; returns what happened to each restore it ran on. */
export async function runRestoreAction(
  action: RestoreAction,
  chosen: readonly LrsRestoreView[] | undefined,
  all: () => readonly LrsRestoreView[],
  ops: RestoreOperations,
  ui: RestoreFlowUi,
): Promise<RestoreOutcome[]> {
  const t = texts[action];
  let selection: LrsRestoreView[];
  if (chosen?.length) selection = [...chosen];
  else {
    const candidates = all().filter((v) => allowed(action, v).ok);
    if (!candidates.length) {
      ui.info(t.none());
      return [];
    }
    const items = candidates.map((v) => ({ label: v.ref.targetDatabase, description: [v.status, v.ref.managedInstance, v.lastRestoredFile].filter(Boolean).join(' · '), restore: v }));
    const picked = await ui.pickRestores(items, t.pick());
    if (!picked?.length) return [];
    selection = picked;
  }
  const skipped = selection.flatMap((v) => {
    const a = allowed(action, v);
    return a.ok ? [] : [`${nameOf(v)}: ${a.reason}`];
  });
  let go = selection.filter((v) => allowed(action, v).ok);
  const unchecked: string[] = [];
  if (action === 'complete' && go.length) {
    go = await ui.progress(l10n.t('Checking the restores and their backup locations'), async (_report, s) => {
      const out: LrsRestoreView[] = [];
      for (const v of go) {
        try {
          const guard = await ops.guardComplete(v, s);
          out.push(guard.restore);
          for (const w of guard.warnings) unchecked.push(`${nameOf(v)}: ${w}`);
        } catch (e) {
          if (isCancellation(e)) throw e;
          skipped.push(`${nameOf(v)}: ${(e as Error).message}`);
        }
      }
      return out;
    });
  }
  if (!go.length) {
    ui.error(`${l10n.t('Nothing was done.')} ${skipped.join(' ')}`);
    return [];
  }
  const detail = confirmDetail(action, go) + (unchecked.length ? `\n\n${l10n.t('Not checked from here:')}\n${unchecked.join('\n')}` : '') + (skipped.length ? `\n\n${l10n.t('Left out:')}\n${skipped.join('\n')}` : '');
  if (!(await ui.confirm(t.confirm(go.length), detail, t.button()))) return [];

  const outcomes = await ui.progress(t.progress(), async (report, s) => {
    const out: RestoreOutcome[] = [];
    for (const [i, v] of go.entries()) {
      report(`${nameOf(v)} (${i + 1}/${go.length})`);
      try {
        if (action === 'complete') await ops.complete(v, s, (status) => report(`${nameOf(v)}: ${status}`));
        else await ops.stop(v, s);
        out.push({ restore: v, ok: true });
      } catch (e) {
        if (isCancellation(e) || s.aborted) {
          out.push({ restore: v, ok: false, error: l10n.t('stopped before it ran') });
          continue;
        }
        const r = describeError(e, t.failed());
        ui.log(`${nameOf(v)}: ${r.detail}`);
        out.push({ restore: v, ok: false, error: `${r.message} ${r.next}` });
      }
    }
    return out;
  });
  const ok = outcomes.filter((o) => o.ok).map((o) => nameOf(o.restore));
  const failed = outcomes.filter((o) => !o.ok);
  if (ok.length) ui.info(t.done(ok.join(', ')));
  if (failed.length) ui.error(failed.map((f) => `${nameOf(f.restore)}: ${f.error}`).join('\n'));
  return outcomes;
}
