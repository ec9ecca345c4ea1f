/** Step 1, the Azure account: a cloud (known, or a custom one from a file) and a sign-in. */
import * as l10n from '@vscode/l10n';
import { knownCloud, loadCloudFile, type Cloud } from '../../../core/azure/cloud';
import { issue, type HostStep, type Issue, type Session } from '../context';
import type { WizardDeps } from '../deps';
import { clearAzure, IDLE, unavailable } from '../state';
import type { WizardState } from '../../../protocol/wizard';

export type AccountAction =
  | { type: 'account.cloudFile'; path: string; name: string; displayName: string }
  | { type: 'account.signedIn'; label: string }
  | { type: 'account.signedOut' };

/** The clouds offered: the known ones, and the custom one once a file was read. */
export function cloudChoices(deps: WizardDeps, session: Session): { name: string; displayName: string }[] {
  const list = deps.clouds.map((c) => ({ name: c.name, displayName: c.displayName }));
  return session.customCloud ? [...list, { name: 'custom', displayName: session.customCloud.displayName }] : list;
}

export function cloudFor(deps: WizardDeps, session: Session, name: string): Cloud | undefined {
  if (name === 'custom') return session.customCloud;
  return deps.clouds.find((c) => c.name === name) ?? knownCloud(name);
}

function check(s: WizardState): Issue[] {
  const out = unavailable(s, 'accounts');
  if (s.account.cloudName === 'custom' && !s.account.customCloudFile) out.push(issue('cloudFile', l10n.t('Choose the cloud file.')));
  if (!s.account.signedIn) out.push(issue('signIn', l10n.t('Sign in to {0}.', s.account.clouds.find((c) => c.name === s.account.cloudName)?.displayName ?? l10n.t('the cloud'))));
  return out;
}

export const accountStep = {
  check,
  handlers: {
    'account.selectCloud': (ctx) => {
      // Another cloud (the reducer cleared the sign-in): the old credential must not be used.
      if (!ctx.state.account.signedIn) ctx.session.account = undefined;
    },
    'account.chooseCloudFile': (ctx) =>
      ctx.run('account', l10n.t('Loading the cloud file'), async () => {
        const path = await ctx.deps.host.pickCloudFile();
        if (!path) return;
        const cloud = await loadCloudFile(path);
        ctx.deps.redactor.add(cloud.accessToken);
        ctx.session.customCloud = cloud;
        ctx.session.account = undefined;
        ctx.dispatch({ type: 'account.cloudFile', path, name: cloud.name, displayName: cloud.displayName });
      }),
    'account.signIn': (ctx) =>
      ctx.run('account', l10n.t('Signing in'), async () => {
        const cloud = cloudFor(ctx.deps, ctx.session, ctx.state.account.cloudName);
        if (!cloud) throw new Error(l10n.t('Choose a cloud first.'));
        const account = await ctx.deps.services.accounts.signIn(cloud, ctx.signal);
        ctx.session.account = account;
        ctx.dispatch({ type: 'account.signedIn', label: account.label });
        ctx.deps.onSignedIn?.(account);
      }, l10n.t('Signing in...')),
  },
  reducers: {
    'account.selectCloud': (s, a) => {
      if (a.name === s.account.cloudName) return s;
      if (a.name !== 'custom' && !s.account.clouds.some((c) => c.name === a.name)) return s;
      return clearAzure({ ...s, account: { ...s.account, cloudName: a.name, signedIn: undefined, op: IDLE } });
    },
    'account.cloudFile': (s, a) => {
      const clouds = [...s.account.clouds.filter((c) => c.name !== 'custom'), { name: 'custom', displayName: a.displayName }];
      return clearAzure({ ...s, account: { ...s.account, clouds, cloudName: 'custom', customCloudFile: a.path, signedIn: undefined } });
    },
    'account.signedIn': (s, a) => ({ ...s, account: { ...s.account, signedIn: a.label } }),
    'account.signedOut': (s) => clearAzure({ ...s, account: { ...s.account, signedIn: undefined } }),
  },
} satisfies HostStep<AccountAction>;
