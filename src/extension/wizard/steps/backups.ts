/**
 * Step 4, mode and backups: online or offline, where the backups are (a folder on this machine
 * that the extension uploads, a blob container, or a network share), and per database its target
 * name, folder and container. A folder to upload is checked here by reading its backup headers.
 */
import * as l10n from '@vscode/l10n';
import { containerPathProblem, targetDatabaseNameProblem, uncPathProblem, windowsUserProblem } from '../../../core/naming';
import { reducerOnly, requireAccount, type HostStep, type StepContext } from '../context';
import { busyOp, IDLE, unavailable } from '../state';
import type { DatabaseBackup, Op, WizardState } from '../../../protocol/wizard';

// The naming rules are the core's: the plan check that runs at Start uses the very same.
export { containerPathProblem as containerProblem, targetDatabaseNameProblem as targetNameProblem, uncPathProblem } from '../../../core/naming';

export function shareUserProblem(user: string): string | undefined {
  return windowsUserProblem(user, 'the user that reads the share');
}

export type BackupsAction =
  | { type: 'backups.storageAccounts'; accounts: WizardState['backups']['storageAccounts'] }
  | { type: 'backups.containers'; containers: string[] }
  | { type: 'backups.sharePasswordEntered'; entered: boolean }
  | { type: 'backups.folderChosen'; source: string; folder: string }
  | { type: 'backups.checkOp'; source: string; op: Op }
  | { type: 'backups.checked'; source: string; result: NonNullable<DatabaseBackup['check']> };

type Ctx = StepContext<BackupsAction>;

function updateDatabase(s: WizardState, source: string, f: (d: DatabaseBackup) => DatabaseBackup): WizardState {
  return { ...s, backups: { ...s.backups, databases: s.backups.databases.map((d) => (d.source === source ? f(d) : d)) } };
}

/** Reads the backup headers in the database's folder and plans its restore chain. */
async function checkChain(ctx: Ctx, source: string): Promise<void> {
  const db = ctx.state.backups.databases.find((d) => d.source === source);
  if (!db || !db.folder) return;
  const folder = db.folder;
  const show = (op: Op) => ctx.dispatch({ type: 'backups.checkOp', source, op });
  show(busyOp(l10n.t('Reading backup headers...')));
  try {
    const result = await ctx.deps.services.backupCheck.checkFolder(folder, source, ctx.state.backups.mode, ctx.signal);
    ctx.dispatch({ type: 'backups.checked', source, result });
    show({ status: 'done' });
  } catch (e) {
    ctx.fail(e, l10n.t('Checking the backups of {0}', source), show);
  }
}

function databaseProblems(s: WizardState, db: DatabaseBackup, all: DatabaseBackup[]): string[] {
  const out: string[] = [];
  const say = (what: string) => out.push(`${db.source}: ${what}`);
  const name = targetDatabaseNameProblem(db.target);
  if (name) say(name);
  else {
    if (all.some((o) => o !== db && o.target.toLowerCase() === db.target.toLowerCase())) say(l10n.t('another database also migrates to {0}', db.target));
    if (s.target.existingDatabases.some((e) => e.toLowerCase() === db.target.toLowerCase())) say(l10n.t('{0} already exists on the managed instance; choose another target name', db.target));
  }
  const { location, mode } = s.backups;
  if (location === 'upload' || location === 'share') {
    if (location === 'share') {
      const unc = uncPathProblem(db.folder);
      if (unc) say(unc);
    } else if (db.folder === '') say(l10n.t('choose the folder that holds its backups'));
    const same = all.find((o) => o !== db && o.folder !== '' && o.folder.toLowerCase() === db.folder.toLowerCase());
    if (same) say(l10n.t('{0} uses the same folder; the migration service needs one folder per database', same.source));
  }
  if (location === 'upload' && db.folder !== '') {
    if (!db.check || db.check.folder !== db.folder) say(l10n.t('check its backup chain'));
    else if (!db.check.ready) say(l10n.t('its backup chain is not ready ({0})', db.check.problems[0] ?? l10n.t('see the check')));
  }
  if (location === 'blob' || location === 'upload') {
    const c = containerPathProblem(db.container);
    if (c) say(c);
    else if (all.some((o) => o !== db && o.container === db.container)) say(l10n.t('{0} uses the same container; give each database its own', all.find((o) => o !== db && o.container === db.container)!.source));
  }
  if (mode === 'offline' && location === 'blob' && db.lastBackupName.trim() === '') say(l10n.t('name the last backup file to restore'));
  return out;
}

function check(s: WizardState): string[] {
  const loc = s.backups.location;
  const out = unavailable(s, 'storage', ...(loc === 'upload' ? (['backupCheck'] as const) : []));
  if (!s.backups.storageAccountId && !out.length) out.push(loc === 'share' ? l10n.t('Choose the storage account the runtime uploads to.') : l10n.t('Choose the storage account.'));
  if (loc === 'share') {
    const user = shareUserProblem(s.backups.shareUserName);
    if (user) out.push(user);
    if (!s.backups.sharePasswordEntered) out.push(l10n.t('Enter the share password (it is never saved).'));
  }
  for (const db of s.backups.databases) out.push(...databaseProblems(s, db, s.backups.databases));
  return out;
}

export const backupsStep = {
  check,
  async enter(ctx) {
    const account = ctx.session.account;
    const sub = ctx.state.target.subscriptionId;
    const storage = ctx.deps.services.storage;
    if (!account || !sub || !storage.availability.available || ctx.state.backups.storageAccounts.length) return;
    await ctx.run('backups', l10n.t('Listing storage accounts'), async () => {
      ctx.dispatch({ type: 'backups.storageAccounts', accounts: await storage.listAccounts(account, sub, ctx.signal) });
    });
  },
  handlers: {
    'backups.update': (ctx, m) => {
      const id = m.patch.storageAccountId;
      // The reducer refused an account it does not list.
      if (id === undefined || ctx.state.backups.storageAccountId !== id) return;
      return ctx.run('backups', l10n.t('Listing blob containers'), async () => {
        ctx.dispatch({ type: 'backups.containers', containers: await ctx.deps.services.storage.listContainers(requireAccount(ctx.session), id, ctx.signal) });
      });
    },
    'backups.sharePassword': (ctx, m) => {
      // First, so that nothing logged or shown from now on can carry it.
      ctx.deps.redactor.add(m.value);
      ctx.session.secrets.sharePassword = m.value || undefined;
      ctx.dispatch({ type: 'backups.sharePasswordEntered', entered: m.value !== '' });
    },
    'backups.updateDatabase': reducerOnly,
    'backups.browse': async (ctx, m) => {
      const folder = await ctx.deps.host.pickFolder(l10n.t('Folder with the backups of {0}', m.source));
      if (!folder) return;
      ctx.dispatch({ type: 'backups.folderChosen', source: m.source, folder });
      await checkChain(ctx, m.source);
    },
    'backups.check': (ctx, m) => checkChain(ctx, m.source),
  },
  reducers: {
    'backups.update': (s, a) => {
      const p = a.patch;
      if (p.storageAccountId !== undefined && !s.backups.storageAccounts.some((x) => x.id === p.storageAccountId)) return s;
      const backups = { ...s.backups, ...p };
      if (p.storageAccountId !== undefined && p.storageAccountId !== s.backups.storageAccountId) backups.containers = [];
      if (p.location !== undefined && p.location !== s.backups.location) {
        // A folder on this machine is not a share path and vice versa; a last backup named for one is not the other's.
        backups.databases = backups.databases.map((d) => ({ ...d, folder: '', lastBackupName: '', check: undefined, checkOp: IDLE }));
      }
      // Another mode plans another chain: the last backup must be checked again.
      if (p.mode !== undefined && p.mode !== s.backups.mode) backups.databases = backups.databases.map((d) => ({ ...d, lastBackupName: '', check: undefined, checkOp: IDLE }));
      return { ...s, backups };
    },
    'backups.storageAccounts': (s, a) => ({ ...s, backups: { ...s.backups, storageAccounts: a.accounts } }),
    'backups.containers': (s, a) => ({ ...s, backups: { ...s.backups, containers: a.containers } }),
    'backups.sharePasswordEntered': (s, a) => ({ ...s, backups: { ...s.backups, sharePasswordEntered: a.entered } }),
    'backups.updateDatabase': (s, a) =>
      updateDatabase(s, a.source, (d) => {
        const next = { ...d, ...a.patch };
        // A new folder holds another chain: what was checked, and the last backup taken from it, no longer hold.
        return a.patch.folder !== undefined && a.patch.folder !== d.folder ? { ...next, lastBackupName: a.patch.lastBackupName ?? '', check: undefined, checkOp: IDLE } : next;
      }),
    'backups.folderChosen': (s, a) => updateDatabase(s, a.source, (d) => (d.folder === a.folder ? d : { ...d, folder: a.folder, lastBackupName: '', check: undefined, checkOp: IDLE })),
    'backups.checkOp': (s, a) => updateDatabase(s, a.source, (d) => ({ ...d, checkOp: a.op })),
    'backups.checked': (s, a) =>
      updateDatabase(s, a.source, (d) =>
        d.folder !== a.result.folder
          ? d // the folder changed while the check ran
          : // A checked folder to upload names its own last file (taken again at Start from the chain uploaded then).
            { ...d, check: a.result, lastBackupName: s.backups.location === 'upload' ? (a.result.lastBackupName ?? '') : d.lastBackupName },
      ),
  },
} satisfies HostStep<BackupsAction>;
