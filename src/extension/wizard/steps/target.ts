/**
 * Step 3, the target: a subscription and the managed instances the databases move to. One run
 * may spread over several instances: they fill in the order chosen, each up to its tier's limit
 * counting the databases already on it (the core's rule, src/core/naming.ts).
 */
import * as l10n from '@vscode/l10n';
import { placeDatabases } from '../../../core/naming';
import { maxUserDatabases, TIER_NAMES } from '../../../core/sku/miLimits';
import { issue, type HostStep, type Issue, type StepContext } from '../context';
import { chosenInstances, clearAzure, unavailable } from '../state';
import type { WizardState } from '../../../protocol/wizard';
import { refreshFit, reloadSizing, targetSizing, type SizingAction } from './targetSizing';

export type TargetAction =
  | SizingAction
  | { type: 'target.subscriptions'; subscriptions: WizardState['target']['subscriptions'] }
  | { type: 'target.instances'; instances: WizardState['target']['instances'] }
  | { type: 'target.existingDatabases'; instanceId: string; names: string[] };

type Ctx = StepContext<TargetAction>;

async function loadInstances(ctx: Ctx, subscriptionId: string): Promise<void> {
  const account = ctx.session.account;
  const targets = ctx.deps.services.targets;
  if (!account || !targets.availability.available) return;
  await ctx.run('target', l10n.t('Listing managed instances'), async () => {
    ctx.dispatch({ type: 'target.instances', instances: await targets.listManagedInstances(account, subscriptionId, ctx.signal) });
    refreshFit(ctx);
  });
}

/** The databases already on a chosen instance: they count toward its limit, and their names are taken. */
async function loadExisting(ctx: Ctx, instanceId: string): Promise<void> {
  const account = ctx.session.account;
  if (!account || !ctx.state.target.instanceIds.includes(instanceId)) return;
  const name = instanceId.slice(instanceId.lastIndexOf('/') + 1);
  await ctx.run('target', l10n.t('Listing the databases on {0}', name), async () => {
    ctx.dispatch({ type: 'target.existingDatabases', instanceId, names: await ctx.deps.services.targets.listDatabases(account, instanceId, ctx.signal) });
  }, l10n.t('Listing the databases on {0}...', name));
}

function check(s: WizardState): Issue[] {
  const out = unavailable(s, 'subscriptions', 'targets');
  if (out.length) return out;
  if (!s.target.subscriptionId) out.push(issue('subscription', l10n.t('Choose a subscription.')));
  const chosen = chosenInstances(s);
  if (!chosen.length) {
    out.push(issue('instance', l10n.t('Choose the target managed instance.')));
    return out;
  }
  for (const mi of chosen) {
    if (mi.state !== 'Ready') out.push(issue('instanceState', l10n.t('{0} is {1}; choose a managed instance that is Ready (or start it in the Azure portal).', mi.name, mi.state)));
    else if (!mi.listed) out.push(issue('existing', l10n.t('Wait while the databases on {0} are listed.', mi.name)));
  }
  if (out.length) return out;
  const { unplaced } = placeDatabases(s.source.selected, chosen);
  if (unplaced.length) {
    const room = chosen.reduce((n, mi) => n + Math.max(0, maxUserDatabases(mi.tier) - mi.existing), 0);
    const where = chosen.map((mi) => l10n.t('{0} ({1}) holds {2} and has {3}', mi.name, mi.tier ? TIER_NAMES[mi.tier] : l10n.t('tier unknown'), maxUserDatabases(mi.tier), mi.existing)).join('; ');
    out.push(issue('capacity', l10n.t('{0} databases are selected, but the chosen instances have room for {1} ({2}): add an instance, or leave out {3} databases.', s.source.selected.length, room, where, unplaced.length)));
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
    // A reopened wizard: what is on the chosen instances now.
    for (const mi of chosenInstances(ctx.state)) if (!mi.listed) await loadExisting(ctx, mi.id);
    await reloadSizing(ctx);
  },
  handlers: {
    ...targetSizing.handlers,
    'target.selectSubscription': async (ctx, m) => {
      // The reducer refused a subscription it does not list.
      if (ctx.state.target.subscriptionId === m.id) await loadInstances(ctx, m.id);
    },
    'target.selectInstance': (ctx, m) => (refreshFit(ctx), loadExisting(ctx, m.id)),
    'target.addInstance': (ctx, m) => (refreshFit(ctx), loadExisting(ctx, m.id)),
    'target.removeInstance': (ctx) => refreshFit(ctx),
  },
  reducers: {
    ...targetSizing.reducers,
    'target.subscriptions': (s, a) => ({ ...s, target: { ...s.target, subscriptions: a.subscriptions } }),
    'target.selectSubscription': (s, a) => {
      if (a.id === s.target.subscriptionId || !s.target.subscriptions.some((x) => x.id === a.id)) return s;
      // Instances, storage accounts and migration services all belong to the subscription.
      const cleared = clearAzure(s);
      return { ...cleared, target: { ...s.target, subscriptionId: a.id, instances: [], instanceIds: [], existing: [] } };
    },
    'target.instances': (s, a) => ({ ...s, target: { ...s.target, instances: a.instances } }),
    'target.selectInstance': (s, a) => {
      if (!s.target.instances.some((x) => x.id === a.id)) return s;
      if (s.target.instanceIds.length === 1 && s.target.instanceIds[0] === a.id) return s;
      return { ...s, target: { ...s.target, instanceIds: [a.id], existing: s.target.existing.filter((e) => e.instanceId === a.id) } };
    },
    'target.addInstance': (s, a) => {
      if (!s.target.instances.some((x) => x.id === a.id) || s.target.instanceIds.includes(a.id)) return s;
      return { ...s, target: { ...s.target, instanceIds: [...s.target.instanceIds, a.id] } };
    },
    'target.removeInstance': (s, a) => {
      if (!s.target.instanceIds.includes(a.id)) return s;
      return { ...s, target: { ...s.target, instanceIds: s.target.instanceIds.filter((x) => x !== a.id), existing: s.target.existing.filter((e) => e.instanceId !== a.id) } };
    },
    'target.existingDatabases': (s, a) => {
      if (!s.target.instanceIds.includes(a.instanceId)) return s;
      return { ...s, target: { ...s.target, existing: [...s.target.existing.filter((e) => e.instanceId !== a.instanceId), { instanceId: a.instanceId, names: a.names }] } };
    },
  },
} satisfies HostStep<TargetAction>;
