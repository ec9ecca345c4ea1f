/**
 * Step 4, mode and backups: online or offline, where the backups are (a folder on this machine
 * that the extension uploads, a blob container, or a network share), and per database its target
 * name, folder and container. A folder to upload is checked here by reading its backup headers.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as l10n from '@vscode/l10n';
import { containerPathProblem, targetDatabaseNameProblem, uncPathProblem, windowsUserProblem } from '../../../core/naming';
import { issue, reducerOnly, requireAccount, type HostStep, type Issue, type StepContext } from '../context';
import { busyOp, eachBounded, IDLE, unavailable } from '../state';
import { engineIssues } from './engine';
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
  | { type: 'backups.checked'; source: string; result: NonNullable<DatabaseBackup['check']> }
  /** Folders found under a parent folder, by database. */
  | { type: 'backups.foldersFound'; folders: Record<string, string> };

type Ctx = StepContext<BackupsAction>;

function updateDatabase(s: WizardState, source: string, f: (d: DatabaseBackup) => DatabaseBackup): WizardState {
  return { ...s, backups: { ...s.backups, databases: s.backups.databases.map((d) => (d.source === source ? f(d) : d)) } };
}

/** Checks every folder set and not checked yet (or checked before it changed), a few at a time. */
async function checkAll(ctx: Ctx): Promise<void> {
  if (ctx.state.backups.location !== 'upload') return;
  const todo = ctx.state.backups.databases.filter((d) => d.folder !== '' && (!d.check || d.check.folder !== d.folder) && d.checkOp.status !== 'busy').map((d) => d.source);
  await eachBounded(todo, 4, (source) => checkChain(ctx, source), ctx.signal);
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

/** What each database's answers are checked against: the others' (by value), and what is on its instance. */
interface Seen {
  targets: Map<string, number>;
  folders: Map<string, string[]>;
  containers: Map<string, string[]>;
  existing: Map<string, Set<string>>;
}

/** Counts once what every database is compared with: the check stays linear at thousands of databases. */
function seenOf(s: WizardState): Seen {
  const seen: Seen = { targets: new Map(), folders: new Map(), containers: new Map(), existing: new Map() };
  for (const e of s.target.existing) seen.existing.set(e.instanceId, new Set(e.names.map((n) => n.toLowerCase())));
  for (const d of s.backups.databases) {
    const t = `${d.instanceId ?? ''}|${d.target.toLowerCase()}`;
    seen.targets.set(t, (seen.targets.get(t) ?? 0) + 1);
    if (d.folder !== '') seen.folders.set(d.folder.toLowerCase(), [...(seen.folders.get(d.folder.toLowerCase()) ?? []), d.source]);
    seen.containers.set(d.container, [...(seen.containers.get(d.container) ?? []), d.source]);
  }
  return seen;
}

/** What to do about each kind of problem, for the whole kind (the "to continue" area counts them). */
const LABELS = {
  targetName: () => l10n.t('Give these databases a valid target name'),
  targetTwice: () => l10n.t('Give these databases target names of their own'),
  targetExists: () => l10n.t('These target names are taken on their instance: choose others'),
  folder: () => l10n.t('Choose the folder that holds each database\'s backups'),
  share: () => l10n.t('Enter each database\'s network share path'),
  folderShared: () => l10n.t('Give each database a folder of its own'),
  check: () => l10n.t('Check the backup chains (Check All checks every folder)'),
  chain: () => l10n.t('Fix these backup chains'),
  container: () => l10n.t('Choose a valid blob container'),
  containerShared: () => l10n.t('Give each database a container (or container/folder) of its own'),
  lastBackup: () => l10n.t('Name the last backup file to restore'),
};

function databaseProblems(s: WizardState, db: DatabaseBackup, seen: Seen, out: Issue[]): void {
  const say = (kind: keyof typeof LABELS, what: string) => out.push({ kind, label: LABELS[kind](), text: `${db.source}: ${what}`, database: db.source });
  const others = (list: string[] | undefined) => (list ?? []).filter((n) => n !== db.source);
  const name = targetDatabaseNameProblem(db.target);
  if (name) say('targetName', name);
  else {
    if ((seen.targets.get(`${db.instanceId ?? ''}|${db.target.toLowerCase()}`) ?? 0) > 1) say('targetTwice', l10n.t('another database also migrates to {0}', db.target));
    if (db.instanceId && seen.existing.get(db.instanceId)?.has(db.target.toLowerCase())) say('targetExists', l10n.t('{0} already exists on the managed instance; choose another target name', db.target));
  }
  const { location, mode } = s.backups;
  if (location === 'upload' || location === 'share') {
    if (location === 'share') {
      const unc = uncPathProblem(db.folder);
      if (unc) say('share', unc);
    } else if (db.folder === '') say('folder', l10n.t('choose the folder that holds its backups'));
    const same = db.folder !== '' ? others(seen.folders.get(db.folder.toLowerCase()))[0] : undefined;
    if (same) say('folderShared', l10n.t('{0} uses the same folder; the migration service needs one folder per database', same));
  }
  if (location === 'upload' && db.folder !== '') {
    if (!db.check || db.check.folder !== db.folder) say('check', l10n.t('check its backup chain'));
    else if (!db.check.ready) say('chain', l10n.t('its backup chain is not ready ({0})', db.check.problems[0] ?? l10n.t('see the check')));
  }
  if (location === 'blob' || location === 'upload') {
    const c = containerPathProblem(db.container);
    if (c) say('container', c);
    else {
      const same = others(seen.containers.get(db.container))[0];
      if (same) say('containerShared', l10n.t('{0} uses the same container; give each database its own', same));
    }
  }
  // The Log Replay Service's autocomplete takes the last file from the chain it checks at Start.
  if (mode === 'offline' && location === 'blob' && s.engine.kind === 'dms' && db.lastBackupName.trim() === '') say('lastBackup', l10n.t('name the last backup file to restore'));
}

/** Every problem of one database (the webview shows them on its card). */
export function problemsOf(s: WizardState, db: DatabaseBackup): string[] {
  const out: Issue[] = [];
  databaseProblems(s, db, seenOf(s), out);
  return out.map((i) => i.text);
}

function check(s: WizardState): Issue[] {
  const loc = s.backups.location;
  const out = [...engineIssues(s), ...unavailable(s, 'storage', ...(loc === 'upload' ? (['backupCheck'] as const) : []))];
  if (!s.backups.storageAccountId && !out.length) out.push(issue('storage', loc === 'share' ? l10n.t('Choose the storage account the runtime uploads to.') : l10n.t('Choose the storage account.')));
  if (loc === 'share') {
    const user = shareUserProblem(s.backups.shareUserName);
    if (user) out.push(issue('shareUser', user));
    if (!s.backups.sharePasswordEntered) out.push(issue('sharePassword', l10n.t('Enter the share password (it is never saved).')));
  }
  const seen = seenOf(s);
  for (const db of s.backups.databases) databaseProblems(s, db, seen, out);
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
    'backups.browseParent': async (ctx) => {
      const parent = await ctx.deps.host.pickFolder(l10n.t('A folder with one folder of backups per database (named as the database)'));
      if (!parent) return;
      await ctx.run('backups', l10n.t('Looking for the databases\' folders'), async () => {
        const folders: Record<string, string> = {};
        const todo = ctx.state.backups.databases.filter((d) => d.folder === '');
        await eachBounded(todo, 16, async (d) => {
          const folder = join(parent, d.source);
          if (await stat(folder).then((st) => st.isDirectory(), () => false)) folders[d.source] = folder;
        }, ctx.signal);
        ctx.dispatch({ type: 'backups.foldersFound', folders });
        const found = Object.keys(folders).length;
        ctx.deps.host.info(found === todo.length
          ? l10n.t('Found a folder for each of the {0} databases in {1}.', found, parent)
          : l10n.t('Found folders for {0} of the {1} databases without one in {2}; the others need theirs chosen.', found, todo.length, parent));
      });
      await checkAll(ctx);
    },
    'backups.useShareRoot': reducerOnly,
    'backups.useContainer': reducerOnly,
    'backups.checkAll': (ctx) => checkAll(ctx),
  },
  reducers: {
    'backups.update': (s, a) => {
      const p = a.patch;
      if (p.storageAccountId !== undefined && !s.backups.storageAccounts.some((x) => x.id === p.storageAccountId)) return s;
      // The Log Replay Service reads blob storage only.
      if (p.location === 'share' && s.engine.kind === 'lrs') return s;
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
    'backups.foldersFound': (s, a) => {
      if (!Object.keys(a.folders).length) return s;
      return { ...s, backups: { ...s.backups, databases: s.backups.databases.map((d) => (a.folders[d.source] && d.folder === '' ? { ...d, folder: a.folders[d.source]!, lastBackupName: '', check: undefined, checkOp: IDLE } : d)) } };
    },
    'backups.useShareRoot': (s, a) => {
      const root = a.root.trim().replace(/\\+$/, '');
      if (!root || s.backups.location !== 'share') return s;
      return { ...s, backups: { ...s.backups, databases: s.backups.databases.map((d) => (d.folder === '' ? { ...d, folder: `${root}\\${d.source}` } : d)) } };
    },
    'backups.useContainer': (s, a) => {
      const container = a.container.trim().split('/')[0]!;
      if (!container || s.backups.location === 'share') return s;
      return { ...s, backups: { ...s.backups, databases: s.backups.databases.map((d) => ({ ...d, container: `${container}/${d.source}` })) } };
    },
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
