/** `sqlmig dms ...`: the Database Migration Service and its self-hosted integration runtime. */
import { constants, lstat, open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DmsClient, serviceRefFromId, type MigrationServiceRef } from '../../core/azure/dms/client';
import type { AuthKeyName } from '../../core/azure/dms/models';
import { createResourceGroup } from '../../core/azure/resourceGroups';
import { table } from '../../core/text';
import { AZURE_HELP, AZURE_OPTIONS, azureSession, mask, need, printJson, str, subscriptionOf, type AzureSession, sandboxExample, SANDBOX_CLOUD, SANDBOX_DATA, SANDBOX_SERVICE } from '../azureArgs';
import { EXIT_FAILED, EXIT_OK, UsageError, type Command, type Io, type Values } from '../command';

const SERVICE_OPTIONS = { ...AZURE_OPTIONS, 'resource-group': { type: 'string' as const }, name: { type: 'string' as const }, service: { type: 'string' as const } };
const SERVICE_HELP = `  --service ID           the migration service's resource id, or:
  --resource-group RG    its resource group, with
  --name NAME            its name`;

function serviceRef(values: Values, session: AzureSession, io: Io): MigrationServiceRef {
  const id = str(values, 'service');
  if (id) {
    try {
      return serviceRefFromId(id);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  return { subscriptionId: subscriptionOf(values, session, io), resourceGroup: need(values, 'resource-group', '(or --service ID)'), name: need(values, 'name', '(or --service ID)') };
}

function registrationSteps(ref: MigrationServiceRef): string {
  return [
    'To register the self-hosted integration runtime:',
    `  1. sqlmig dms keys --resource-group ${ref.resourceGroup} --name ${ref.name} --out ir-keys.json`,
    '  2. install the Microsoft Integration Runtime on a Windows machine that reaches the source SQL Server and the backup share',
    '  3. register it with authKey1 from ir-keys.json (then delete the file)',
    `  4. sqlmig dms nodes --resource-group ${ref.resourceGroup} --name ${ref.name}   (repeat until a node is listed)`,
  ].join('\n');
}

async function setup(values: Values, io: Io) {
  const session = await azureSession(values, io);
  return { session, ref: serviceRef(values, session, io), dms: new DmsClient(session.ctx) };
}

export const dmsCreate: Command = {
  name: ['dms', 'create'],
  summary: 'Create (or update) a Database Migration Service',
  usage: 'sqlmig dms create --resource-group RG --name NAME --location REGION [--create-resource-group] [azure options]',
  help: `Creates the migration service (waiting for the long-running operation), then shows what to
do next: the integration runtime must be registered before network-share migrations can run.

Options:
  --resource-group RG       the resource group
  --name NAME               the service name
  --location REGION         e.g. westeurope (use the target instance's region)
  --create-resource-group   create the resource group first (in --location) if it is missing

${AZURE_HELP}

${sandboxExample([
  `sqlmig dms create ${SANDBOX_CLOUD} --resource-group rg-sqlmig-sandbox --name dms-second --location eastus`,
])}

Exit code: 0 when the service exists, 1 when Azure refused, 2 on usage errors.`,
  options: { ...SERVICE_OPTIONS, location: { type: 'string' }, 'create-resource-group': { type: 'boolean' } },
  async run(values, _p, io) {
    const { session, ref, dms } = await setup(values, io);
    const location = need(values, 'location');
    if (values['create-resource-group']) await createResourceGroup(session.ctx, ref.subscriptionId, ref.resourceGroup, location, io.signal);
    const svc = await dms.createOrUpdateService(ref, { location }, { ...(io.signal && { signal: io.signal }) });
    if (values.json) {
      printJson(io, { service: svc });
      return EXIT_OK;
    }
    io.out(`Migration service ${svc.name ?? ref.name} in ${svc.location ?? location}: ${svc.properties?.provisioningState ?? 'unknown'}`);
    io.out(`Integration runtime: ${svc.properties?.integrationRuntimeState ?? 'unknown'}`);
    if (svc.properties?.integrationRuntimeState !== 'Online') io.out(`\n${registrationSteps(ref)}`);
    return EXIT_OK;
  },
};

export const dmsShow: Command = {
  name: ['dms', 'show'],
  summary: 'Show a migration service, its integration runtime state and nodes',
  usage: 'sqlmig dms show (--service ID | --resource-group RG --name NAME) [azure options]',
  help: `Shows the service's provisioning state, the integration runtime's state and its nodes, and,
when the runtime is not registered, how to register it.

${SERVICE_HELP}

${AZURE_HELP}

${sandboxExample([
  `sqlmig dms show ${SANDBOX_CLOUD} ${SANDBOX_SERVICE}`,
])}

Exit code: 0 when the runtime is online, 1 when it is not (or Azure refused), 2 on usage errors.`,
  options: SERVICE_OPTIONS,
  async run(values, _p, io) {
    const { ref, dms } = await setup(values, io);
    const signal = io.signal ? { signal: io.signal } : {};
    const svc = await dms.getService(ref, signal);
    const monitor = await dms.listMonitoringData(ref, signal);
    const online = svc.properties?.integrationRuntimeState === 'Online';
    if (values.json) {
      printJson(io, { service: svc, integrationRuntime: monitor });
      return online ? EXIT_OK : EXIT_FAILED;
    }
    io.out(`Migration service ${svc.name} (${svc.location}): ${svc.properties?.provisioningState}`);
    io.out(`Integration runtime ${monitor.name ?? ''}: ${svc.properties?.integrationRuntimeState ?? 'unknown'}, ${monitor.nodes?.length ?? 0} node(s)`);
    for (const n of monitor.nodes ?? []) io.out(`  ${n.nodeName}  CPU ${n.cpuUtilization ?? '?'}%  memory free ${n.availableMemoryInMB ?? '?'} MB  jobs ${n.concurrentJobsRunning ?? 0}/${n.concurrentJobsLimit ?? '?'}`);
    if (!online) io.out(`\n${registrationSteps(ref)}`);
    return online ? EXIT_OK : EXIT_FAILED;
  },
};

function keysFile(keys: { authKey1?: string; authKey2?: string }): string {
  return `${JSON.stringify({ ...(keys.authKey1 && { authKey1: keys.authKey1 }), ...(keys.authKey2 && { authKey2: keys.authKey2 }) }, null, 2)}\n`;
}

const throughLink = (path: string) => `${path} is a symbolic link: the keys are never written through one. Remove it, or choose another file.`;

/** Why the keys must not go to `path` (a link would put them wherever it points, or keep a readable name), or undefined. */
function unsafeKeysTarget(st: { isSymbolicLink(): boolean; isFile(): boolean; nlink: number }, path: string): string | undefined {
  if (st.isSymbolicLink()) return throughLink(path);
  if (!st.isFile()) return `${path} is not a regular file: choose a file for the keys.`;
  if (st.nlink > 1) return `${path} has other hard links, through which the keys could be read: remove it, or choose another file.`;
  return undefined;
}

/** Checks the --out file before anything is asked of Azure, so a refused path never costs a regenerated key. */
async function checkKeysPath(path: string): Promise<void> {
  try {
    const why = unsafeKeysTarget(await lstat(path), path);
    if (why) throw new UsageError(why);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/**
 * Writes the keys to a file only its owner can read: opened without following a symbolic link
 * (O_NOFOLLOW), checked, narrowed to 0600 and emptied before a byte of the keys goes in, also
 * when the file existed with a wider mode.
 */
async function writeKeysFile(path: string, content: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, constants.O_WRONLY | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0), 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw new Error(throughLink(path));
    throw new Error(`cannot write the keys to ${path}: ${(e as Error).message}`);
  }
  try {
    const why = unsafeKeysTarget(await handle.stat(), path);
    if (why) throw new Error(why);
    await handle.chmod(0o600);
    await handle.truncate(0);
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}

export const dmsKeys: Command = {
  name: ['dms', 'keys'],
  summary: 'Get the integration runtime registration keys (written to a private file)',
  usage: 'sqlmig dms keys (--service ID | --resource-group RG --name NAME) [--out FILE] [azure options]',
  help: `Reads the two authentication keys the self-hosted integration runtime registers with. The keys
are secrets: they are never printed. With --out they are written (as JSON) to FILE, readable
only by you; hand authKey1 to the runtime's installer, then delete the file. Without --out,
only masked forms are shown, to tell the keys apart.

${SERVICE_HELP}
  --out FILE             write {"authKey1", "authKey2"} to FILE (mode 600)

${AZURE_HELP}

${sandboxExample([
  `sqlmig dms keys ${SANDBOX_CLOUD} ${SANDBOX_SERVICE} --out ${SANDBOX_DATA}/ir-keys.json`,
  `node dist/sandbox-ir.js --auth-key-file ${SANDBOX_DATA}/ir-keys.json   # the sandbox's runtime registers with it`,
])}

Exit code: 0, 1 when Azure refused, 2 on usage errors.`,
  options: { ...SERVICE_OPTIONS, out: { type: 'string' } },
  async run(values, _p, io) {
    const out = str(values, 'out') && resolve(io.cwd, str(values, 'out')!);
    if (out) await checkKeysPath(out);
    const { ref, dms } = await setup(values, io);
    const keys = await dms.listAuthKeys(ref, io.signal ? { signal: io.signal } : {});
    if (out) await writeKeysFile(out, keysFile(keys));
    if (values.json) {
      printJson(io, { authKey1: mask(keys.authKey1), authKey2: mask(keys.authKey2), ...(out && { writtenTo: out }) });
      return EXIT_OK;
    }
    io.out(`authKey1  ${mask(keys.authKey1)}\nauthKey2  ${mask(keys.authKey2)}`);
    io.out(out ? `The keys are in ${out} (readable only by you).` : 'Add --out FILE to write the keys to a private file for the runtime installer.');
    return EXIT_OK;
  },
};

export const dmsRegenerateKey: Command = {
  name: ['dms', 'regenerate-key'],
  summary: 'Regenerate one integration runtime key (nodes registered with it must re-register)',
  usage: 'sqlmig dms regenerate-key (--service ID | --resource-group RG --name NAME) --key authKey1|authKey2 [--out FILE] [azure options]',
  help: `Regenerates one of the two keys. Runtime nodes registered with the old key stop working until
they are registered again: regenerate the key no node uses, or plan the re-registration.

${SERVICE_HELP}
  --key NAME             authKey1 or authKey2
  --out FILE             write the new key(s) to FILE (mode 600); never printed

${AZURE_HELP}

${sandboxExample([
  `sqlmig dms regenerate-key ${SANDBOX_CLOUD} ${SANDBOX_SERVICE} --key authKey2`,
])}

Exit code: 0, 1 when Azure refused, 2 on usage errors.`,
  options: { ...SERVICE_OPTIONS, key: { type: 'string' }, out: { type: 'string' } },
  async run(values, _p, io) {
    const key = need(values, 'key');
    if (key !== 'authKey1' && key !== 'authKey2') throw new UsageError('--key must be authKey1 or authKey2');
    const out = str(values, 'out') && resolve(io.cwd, str(values, 'out')!);
    if (out) await checkKeysPath(out);
    const { ref, dms } = await setup(values, io);
    const result = await dms.regenerateAuthKey(ref, key as AuthKeyName, io.signal ? { signal: io.signal } : {});
    if (out) {
      await writeKeysFile(out, keysFile(result)).catch((e: Error) => {
        throw new Error(`${key} was regenerated, but ${e.message}\nGet the keys with "sqlmig dms keys --out FILE".`);
      });
    }
    const shown = mask((result as Record<string, string | undefined>)[key]);
    if (values.json) printJson(io, { regenerated: key, [key]: shown, ...(out && { writtenTo: out }) });
    else io.out(`${key} regenerated: ${shown}${out ? ` (written to ${out})` : ''}`);
    return EXIT_OK;
  },
};

export const dmsNodes: Command = {
  name: ['dms', 'nodes'],
  summary: 'List the integration runtime nodes, or remove one',
  usage: 'sqlmig dms nodes (--service ID | --resource-group RG --name NAME) [--remove NODE] [azure options]',
  help: `Lists the nodes registered to the service's integration runtime, with CPU, free memory and
running jobs. --remove NODE unregisters a node (e.g. a retired machine).

${SERVICE_HELP}
  --remove NODE          remove this node

${AZURE_HELP}

${sandboxExample([
  `sqlmig dms nodes ${SANDBOX_CLOUD} ${SANDBOX_SERVICE}`,
])}

Exit code: 0 when at least one node is registered (or the node was removed), 1 when none is
(or Azure refused), 2 on usage errors.`,
  options: { ...SERVICE_OPTIONS, remove: { type: 'string' } },
  async run(values, _p, io) {
    const { ref, dms } = await setup(values, io);
    const signal = io.signal ? { signal: io.signal } : {};
    const data = await dms.listMonitoringData(ref, signal);
    const remove = str(values, 'remove');
    if (remove) {
      if (!data.nodes?.some((n) => n.nodeName === remove)) {
        io.err(`sqlmig dms nodes: no node named ${remove}; registered: ${(data.nodes ?? []).map((n) => n.nodeName).join(', ') || 'none'}`);
        return EXIT_FAILED;
      }
      await dms.deleteNode(ref, { nodeName: remove, integrationRuntimeName: data.name ?? '' }, signal);
      if (values.json) printJson(io, { removed: remove });
      else io.out(`Node ${remove} removed from ${ref.name}.`);
      return EXIT_OK;
    }
    const nodes = data.nodes ?? [];
    if (values.json) printJson(io, { integrationRuntime: data.name, nodes });
    else if (nodes.length) {
      io.out(table([['Node', 'CPU %', 'Free MB', 'Jobs', 'Sent', 'Received'], ...nodes.map((n) => [n.nodeName ?? '', String(n.cpuUtilization ?? ''), String(n.availableMemoryInMB ?? ''), `${n.concurrentJobsRunning ?? 0}/${n.concurrentJobsLimit ?? '?'}`, String(n.sentBytes ?? ''), String(n.receivedBytes ?? '')])], ''));
    } else io.out(`No node is registered.\n\n${registrationSteps(ref)}`);
    return nodes.length ? EXIT_OK : EXIT_FAILED;
  },
};
