/** Step 3, the target: a subscription and a managed instance that is Ready and has room for the databases. */
import * as l10n from '@vscode/l10n';
import { databaseCountProblem } from '../../../core/naming';
import type { HostStep, StepContext } from '../context';
import { clearAzure, unavailable } from '../state';
import type { WizardState } from '../../../protocol/wizard';

export type TargetAction =
  | { type: 'target.subscriptions'; subscriptions: WizardState['target']['subscriptions'] }
  | { type: 'target.instances'; instances: WizardState['target']['instances'] }
  | { type: 'target.existingDatabases'; names: string[] };

type Ctx = StepContext<TargetAction>;

async function loadInstances(ctx: Ctx, subscriptionId: string): Promise<void> {
  const account = ctx.session.account;
  const targets = ctx.deps.services.targets;
  if (!account || !targets.availability.available) return;
  await ctx.run('target', l10n.t('Listing managed instances'), async () => {
    ctx.dispatch({ type: 'target.instances', instances: await targets.listManagedInstances(account, subscriptionId, ctx.signal) });
  });
}

function check(s: WizardState): string[] {
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

export const targetStep = {
  check,
  async enter(ctx) {
    const account = ctx.session.account;
    if (!account) return;
    const subscriptions = ctx.deps.services.subscriptions;
    if (subscriptions.availability.available && ctx.state.target.subscriptions.length === 0) {
      await ctx.run('target', l10n.t('Listing subscriptions'), async () => {
        const list = await subscriptions.list(account, ctx.signal);
        ctx.dispatch({ type: 'target.subscriptions', subscriptions: list });
        // One subscription: nothing to choose.
        if (list.length === 1 && !ctx.state.target.subscriptionId) ctx.dispatch({ type: 'target.selectSubscription', id: list[0]!.id });
      });
    }
    const sub = ctx.state.target.subscriptionId;
    if (sub && ctx.state.target.instances.length === 0) await loadInstances(ctx, sub);
  },
  handlers: {
    'target.selectSubscription': async (ctx, m) => {
      // The reducer refused a subscription it does not list.
      if (ctx.state.target.subscriptionId === m.id) await loadInstances(ctx, m.id);
    },
    'target.selectInstance': (ctx, m) => {
      const account = ctx.session.account;
      if (!account || ctx.state.target.instanceId !== m.id) return;
      return ctx.run('target', l10n.t('Listing the databases on the managed instance'), async () => {
        ctx.dispatch({ type: 'target.existingDatabases', names: await ctx.deps.services.targets.listDatabases(account, m.id, ctx.signal) });
      });
    },
  },
  reducers: {
    'target.subscriptions': (s, a) => ({ ...s, target: { ...s.target, subscriptions: a.subscriptions } }),
    'target.selectSubscription': (s, a) => {
      if (a.id === s.target.subscriptionId || !s.target.subscriptions.some((x) => x.id === a.id)) return s;
      // Instances, storage accounts and migration services all belong to the subscription.
      const cleared = clearAzure(s);
      return { ...cleared, target: { ...s.target, subscriptionId: a.id, instances: [], instanceId: undefined, existingDatabases: [] } };
    },
    'target.instances': (s, a) => ({ ...s, target: { ...s.target, instances: a.instances } }),
    'target.selectInstance': (s, a) => {
      if (!s.target.instances.some((x) => x.id === a.id)) return s;
      return { ...s, target: { ...s.target, instanceId: a.id, existingDatabases: a.id === s.target.instanceId ? s.target.existingDatabases : [] } };
    },
    'target.existingDatabases': (s, a) => ({ ...s, target: { ...s.target, existingDatabases: a.names } }),
  },
} satisfies HostStep<TargetAction>;
