/**
 * Step 5, the Database Migration Service: choose or create one; for a network share, register
 * its self-hosted integration runtime (keys go to the clipboard, never to the state) and test
 * the connections it will make.
 */
import * as l10n from '@vscode/l10n';
import { issue, reducerOnly, requireAccount, type HostStep, type Issue, type StepContext } from '../context';
import { unavailable } from '../state';
import type { WizardState } from '../../../protocol/wizard';

type ServiceState = WizardState['service'];

export type ServiceAction =
  | { type: 'service.listed'; services: ServiceState['services'] }
  | { type: 'service.created'; service: ServiceState['services'][number] }
  | { type: 'service.keysLoaded'; loaded: boolean }
  | { type: 'service.nodes'; nodes: ServiceState['nodes'] }
  | { type: 'service.tested'; test: NonNullable<ServiceState['test']> };

type Ctx = StepContext<ServiceAction>;

// Azure's rule for a Microsoft.DataMigration/sqlMigrationServices name.
const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{1,61}[A-Za-z0-9_]$/;

async function refreshNodes(ctx: Ctx): Promise<void> {
  const id = ctx.state.service.serviceId;
  const account = ctx.session.account;
  const services = ctx.deps.services.migrationServices;
  if (!id || !account || !services.availability.available) return;
  await ctx.run('service', l10n.t('Reading the integration runtime nodes'), async () => {
    ctx.dispatch({ type: 'service.nodes', nodes: await services.nodes(account, id, ctx.signal) });
  });
}

/** Keys are secrets: masked in whatever is logged or shown after they were read. */
function keysRead(ctx: Ctx, keys: { authKey1: string; authKey2: string }): void {
  ctx.deps.redactor.add(keys.authKey1);
  ctx.deps.redactor.add(keys.authKey2);
}

function check(s: WizardState): Issue[] {
  // The Log Replay Service needs no migration service: the step is skipped.
  if (s.engine.kind === 'lrs') return [];
  const out = unavailable(s, 'migrationServices');
  if (out.length) return out;
  const svc = s.service.services.find((x) => x.id === s.service.serviceId);
  if (!svc) out.push(issue('service', l10n.t('Choose or create a Database Migration Service.')));
  else if (svc.provisioningState && svc.provisioningState !== 'Succeeded') out.push(issue('provisioning', l10n.t('{0} is {1}; wait until it is provisioned.', svc.name, svc.provisioningState)));
  else if (s.backups.location === 'share' && svc.integrationRuntimeState !== 'Online') {
    out.push(issue('runtime', l10n.t('The integration runtime of {0} is {1}: install it on a machine that reads the share and register it with an authentication key.', svc.name, svc.integrationRuntimeState ?? l10n.t('not registered'))));
  }
  return out;
}

export const serviceStep = {
  check,
  async enter(ctx) {
    const account = ctx.session.account;
    const sub = ctx.state.target.subscriptionId;
    const services = ctx.deps.services.migrationServices;
    if (!account || !sub || !services.availability.available || ctx.state.service.services.length) return;
    await ctx.run('service', l10n.t('Listing Database Migration Services'), async () => {
      ctx.dispatch({ type: 'service.listed', services: await services.list(account, sub, ctx.signal) });
    });
  },
  handlers: {
    'service.select': (ctx) => refreshNodes(ctx),
    'service.update': reducerOnly,

    'service.create': (ctx) =>
      ctx.run('service', l10n.t('Creating the Database Migration Service'), async () => {
        const s = ctx.state;
        const name = s.service.newName.trim();
        if (!SERVICE_NAME.test(name)) throw new Error(l10n.t('Name the service with 3 to 63 letters, digits, periods, hyphens or underscores.'));
        if (!s.service.newResourceGroup.trim() || !s.service.newLocation.trim()) throw new Error(l10n.t('Choose the resource group and region of the new service.'));
        const created = await ctx.deps.services.migrationServices.create(requireAccount(ctx.session), s.target.subscriptionId!, s.service.newResourceGroup.trim(), name, s.service.newLocation.trim(), ctx.signal);
        ctx.dispatch({ type: 'service.created', service: created });
        await refreshNodes(ctx);
      }, l10n.t('Creating the service (this takes a few minutes)...')),
    'service.copyKey': (ctx, m) =>
      ctx.run('service', l10n.t('Copying the authentication key'), async () => {
        const keys = await ctx.deps.services.migrationServices.authKeys(requireAccount(ctx.session), ctx.state.service.serviceId!, ctx.signal);
        keysRead(ctx, keys);
        await ctx.deps.host.copyToClipboard(keys[m.key]);
        ctx.dispatch({ type: 'service.keysLoaded', loaded: true });
        ctx.deps.host.info(m.key === 'authKey1' ? l10n.t('Authentication key 1 copied to the clipboard.') : l10n.t('Authentication key 2 copied to the clipboard.'));
      }),
    'service.regenerateKey': async (ctx, m) => {
      const ok = await ctx.deps.host.confirm(
        l10n.t('Regenerate {0}?', m.key === 'authKey1' ? l10n.t('authentication key 1') : l10n.t('authentication key 2')),
        l10n.t('Integration runtime nodes registered with the old key stay registered, but new nodes need the new key.'),
        l10n.t('Regenerate'),
      );
      if (!ok) return;
      await ctx.run('service', l10n.t('Regenerating the authentication key'), async () => {
        keysRead(ctx, await ctx.deps.services.migrationServices.regenerateKey(requireAccount(ctx.session), ctx.state.service.serviceId!, m.key, ctx.signal));
        ctx.deps.host.info(l10n.t('The authentication key was regenerated. Copy it to register new runtime nodes.'));
      });
    },
    'service.refreshNodes': (ctx) => refreshNodes(ctx),
    'service.test': (ctx) =>
      ctx.run('service', l10n.t('Testing the connections'), async () => {
        const test = await ctx.deps.services.migrationServices.testConnection(requireAccount(ctx.session), ctx.migrationRequest(), { ...ctx.session.secrets }, ctx.signal);
        // A check's message is the service's error text: it is shown, so it is redacted like any error.
        const redact = (text: string) => ctx.deps.redactor.redact(text);
        ctx.dispatch({ type: 'service.tested', test: { ...test, checks: test.checks.map((c) => (c.message === undefined ? c : { ...c, message: redact(c.message) })) } });
      }, l10n.t('Testing...')),
  },
  reducers: {
    'service.listed': (s, a) => ({ ...s, service: { ...s.service, services: a.services } }),
    'service.select': (s, a) => {
      if (!s.service.services.some((x) => x.id === a.id)) return s;
      const same = a.id === s.service.serviceId;
      return { ...s, service: { ...s.service, serviceId: a.id, keysLoaded: same && s.service.keysLoaded, nodes: same ? s.service.nodes : [], test: undefined } };
    },
    'service.update': (s, a) => ({ ...s, service: { ...s.service, ...a.patch } }),
    'service.created': (s, a) => ({
      ...s,
      service: { ...s.service, services: [...s.service.services.filter((x) => x.id !== a.service.id), a.service], serviceId: a.service.id, keysLoaded: false, nodes: [], test: undefined },
    }),
    'service.keysLoaded': (s, a) => ({ ...s, service: { ...s.service, keysLoaded: a.loaded } }),
    'service.nodes': (s, a) => ({ ...s, service: { ...s.service, nodes: a.nodes } }),
    'service.tested': (s, a) => ({ ...s, service: { ...s.service, test: a.test } }),
  },
} satisfies HostStep<ServiceAction>;
