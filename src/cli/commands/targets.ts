/** `sqlmig targets list`: subscriptions and the managed instances a migration can go to. */
import { instanceAvailability, listManagedDatabases, listManagedInstances, type ManagedInstanceInfo } from '../../core/azure/managedInstances';
import { listSubscriptions } from '../../core/azure/subscriptions';
import { tenantCredential } from '../../core/azure/credentials';
import { mapBounded } from '../../core/backup';
import { table } from '../../core/text';
import { AZURE_HELP, AZURE_OPTIONS, azureSession, printJson, str, sandboxExample, SANDBOX_CLOUD } from '../azureArgs';
import { EXIT_OK, type Command } from '../command';

export const targetsList: Command = {
  name: ['targets', 'list'],
  summary: 'List subscriptions and the managed instances migrations can target',
  usage: 'sqlmig targets list [--subscription ID] [--resource-group RG] [--databases] [azure options]',
  help: `Without --subscription (and without AZURE_SUBSCRIPTION_ID), lists your tenants and their
subscriptions (one call per tenant, so hundreds of subscriptions load quickly; a tenant that
refuses is reported, the others still listed), then the managed instances of each.
With --subscription, lists only that subscription's instances.

For each instance: state (only Ready instances take migrations), tier, vCores, storage, and
with --databases the databases already on it (a target name must not collide with them).

Options:
  --resource-group RG   only instances in this resource group
  --databases           also list each instance's existing databases

${AZURE_HELP}

${sandboxExample([
  `sqlmig targets list ${SANDBOX_CLOUD} --databases`,
])}

Exit code: 0, 1 when Azure refuses, 2 on usage errors.`,
  options: { ...AZURE_OPTIONS, 'resource-group': { type: 'string' }, databases: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const session = await azureSession(values, io);
    const rg = str(values, 'resource-group');
    const explicit = str(values, 'subscription') ?? io.env.AZURE_SUBSCRIPTION_ID ?? session.cloud.subscriptionId;
    const subscriptions = explicit
      ? [{ subscriptionId: explicit, displayName: explicit, tenantId: session.cloud.tenantId ?? '', state: 'Unknown' }]
      : (
          await listSubscriptions(session.ctx, { credentialFor: (t) => tenantCredential(session.ctx.credential, t), ...(io.signal && { signal: io.signal }) })
        ).flatMap((t) => {
          if (t.error) io.err(`warning: ${t.error}`);
          return t.subscriptions;
        });
    const rows = await mapBounded(subscriptions, 4, async (s) => {
      const instances = await listManagedInstances(session.ctx, s.subscriptionId, { ...(rg && { resourceGroup: rg }), ...(io.signal && { signal: io.signal }) });
      const withDbs = await mapBounded(instances, 4, async (mi: ManagedInstanceInfo) => ({
        ...mi,
        ...instanceAvailability(mi),
        ...(values.databases && { databases: (await listManagedDatabases(session.ctx, s.subscriptionId, mi.resourceGroup, mi.name, io.signal)).map((d) => d.name) }),
      }));
      return { subscription: s, instances: withDbs };
    });
    if (values.json) {
      printJson(io, { subscriptions: rows.map((r) => ({ ...r.subscription, managedInstances: r.instances })) });
      return EXIT_OK;
    }
    for (const r of rows) {
      const { displayName, subscriptionId } = r.subscription;
      io.out(displayName === subscriptionId ? `Subscription ${subscriptionId}` : `${displayName} (${subscriptionId})`);
      if (!r.instances.length) {
        io.out('  no managed instances');
        continue;
      }
      io.out(table([
        ['Instance', 'Resource group', 'Location', 'State', 'Tier', 'vCores', 'Storage GB', ...(values.databases ? ['Databases'] : [])],
        ...r.instances.map((mi) => [
          mi.name, mi.resourceGroup, mi.location, mi.available ? mi.state : `${mi.state} (unavailable)`, mi.tier, String(mi.vCores ?? ''), String(mi.storageSizeInGB ?? ''),
          ...(values.databases ? [(mi as { databases?: string[] }).databases?.join(', ') ?? ''] : []),
        ]),
      ]));
    }
    return EXIT_OK;
  },
};
