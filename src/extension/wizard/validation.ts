/**
 * What keeps each wizard step from proceeding, in words that say what to do. Pure: the
 * reducer runs it after every action and the webview shows the result next to the Next button.
 */
import * as l10n from '@vscode/l10n';
import type { DatabaseBackup, StepId, WizardState } from '../../webview/wizard/protocol';

// The naming rules are the core's: the plan check that runs at Start uses the very same.
export { containerPathProblem as containerProblem, targetDatabaseNameProblem as targetNameProblem, uncPathProblem } from '../../core/naming';
import { containerPathProblem, databaseCountProblem, targetDatabaseNameProblem, uncPathProblem, windowsUserProblem } from '../../core/naming';

export function shareUserProblem(user: string): string | undefined {
  return windowsUserProblem(user, 'the user that reads the share');
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
  if (location === 'local' || location === 'share') {
    if (location === 'share') {
      const unc = uncPathProblem(db.folder);
      if (unc) say(unc);
    } else if (db.folder === '') say(l10n.t('choose the folder that holds its backups'));
    const same = all.find((o) => o !== db && o.folder !== '' && o.folder.toLowerCase() === db.folder.toLowerCase());
    if (same) say(l10n.t('{0} uses the same folder; the migration service needs one folder per database', same.source));
  }
  if (location === 'local' && db.folder !== '') {
    if (!db.check || db.check.folder !== db.folder) say(l10n.t('check its backup chain'));
    else if (!db.check.ready) say(l10n.t('its backup chain is not ready ({0})', db.check.problems[0] ?? l10n.t('see the check')));
  }
  if (location === 'blob' || location === 'local') {
    const c = containerPathProblem(db.container);
    if (c) say(c);
    else if (all.some((o) => o !== db && o.container === db.container)) say(l10n.t('{0} uses the same container; give each database its own', all.find((o) => o !== db && o.container === db.container)!.source));
  }
  if (mode === 'offline' && location === 'blob' && db.lastBackupName.trim() === '') say(l10n.t('name the last backup file to restore'));
  return out;
}

function unavailable(s: WizardState, ...names: (keyof WizardState['capabilities'])[]): string[] {
  return names.flatMap((n) => {
    const c = s.capabilities[n];
    return c.available ? [] : [c.reason ?? l10n.t('Not available.')];
  });
}

export function validateStep(s: WizardState, step: StepId): string[] {
  switch (step) {
    case 'account': {
      const out = unavailable(s, 'accounts');
      if (s.account.cloudName === 'custom' && !s.account.customCloudFile) out.push(l10n.t('Choose the cloud file.'));
      if (!s.account.signedIn) out.push(l10n.t('Sign in to {0}.', s.account.clouds.find((c) => c.name === s.account.cloudName)?.displayName ?? l10n.t('the cloud')));
      return out;
    }
    case 'source': {
      const out = unavailable(s, 'source');
      if (out.length) return out;
      const src = s.source;
      if (src.server.trim() === '') out.push(l10n.t('Enter the source SQL Server.'));
      if (src.authentication !== 'EntraToken') {
        if (src.userName.trim() === '') out.push(src.authentication === 'SqlAuthentication' ? l10n.t('Enter the SQL login.') : l10n.t('Enter the Windows user as DOMAIN\\user.'));
        if (!src.passwordEntered) out.push(l10n.t('Enter the password (passwords are never saved, so enter it again after reopening the wizard).'));
      } else if (src.connected) {
        out.push(l10n.t('The migration service logs in with a SQL or Windows login: switch to one of them to continue (Microsoft Entra is for the assessment only).'));
      }
      if (!src.connected) out.push(l10n.t('Connect to list the databases.'));
      else if (src.selected.length === 0) out.push(l10n.t('Select at least one database.'));
      else if (databaseCountProblem(src.selected.length)) out.push(`${databaseCountProblem(src.selected.length)!}; select fewer`);
      else {
        const assessed = new Set(src.assessment.databases);
        const missing = src.selected.filter((n) => !assessed.has(n));
        if (src.assessment.op.status === 'busy') out.push(l10n.t('Wait for the assessment to finish.'));
        else if (missing.length) out.push(l10n.t('Run the assessment for {0}.', missing.join(', ')));
      }
      return out;
    }
    case 'target': {
      const out = unavailable(s, 'subscriptions', 'targets');
      if (out.length) return out;
      if (!s.target.subscriptionId) out.push(l10n.t('Choose a subscription.'));
      const mi = s.target.instances.find((i) => i.id === s.target.instanceId);
      if (!mi) out.push(l10n.t('Choose the target managed instance.'));
      else if (mi.state !== 'Ready') out.push(l10n.t('{0} is {1}; choose a managed instance that is Ready (or start it in the Azure portal).', mi.name, mi.state));
      else {
        const count = databaseCountProblem(s.source.selected.length, s.target.existingDatabases.length);
        if (count) out.push(`${mi.name}: ${count}`);
      }
      return out;
    }
    case 'backups': {
      const loc = s.backups.location;
      const out = unavailable(s, 'storage', ...(loc === 'local' ? (['backupCheck'] as const) : []));
      if (!s.backups.storageAccountId && !out.length) out.push(loc === 'share' ? l10n.t('Choose the storage account the runtime uploads to.') : l10n.t('Choose the storage account.'));
      if (loc === 'share') {
        const user = shareUserProblem(s.backups.shareUserName);
        if (user) out.push(user);
        if (!s.backups.sharePasswordEntered) out.push(l10n.t('Enter the share password (it is never saved).'));
      }
      for (const db of s.backups.databases) out.push(...databaseProblems(s, db, s.backups.databases));
      return out;
    }
    case 'service': {
      const out = unavailable(s, 'migrationServices');
      if (out.length) return out;
      const svc = s.service.services.find((x) => x.id === s.service.serviceId);
      if (!svc) out.push(l10n.t('Choose or create a Database Migration Service.'));
      else if (svc.provisioningState && svc.provisioningState !== 'Succeeded') out.push(l10n.t('{0} is {1}; wait until it is provisioned.', svc.name, svc.provisioningState));
      else if (s.backups.location === 'share' && svc.integrationRuntimeState !== 'Online') {
        out.push(l10n.t('The integration runtime of {0} is {1}: install it on a machine that reads the share and register it with an authentication key.', svc.name, svc.integrationRuntimeState ?? l10n.t('not registered')));
      }
      return out;
    }
    case 'summary':
      return unavailable(s, 'starter');
  }
}

/** The first step that is not complete: where a resumed wizard opens (never past where it was). */
export function firstIncompleteStep(s: WizardState, steps: readonly StepId[]): StepId | undefined {
  return steps.find((step) => validateStep(s, step).length > 0);
}
