/** `sqlmig log-replay start`: check every chain and the LRS rules, upload local chains, start the restores. */
import type { ContainerClient } from '@azure/storage-blob';
import { parseArmId } from '../../core/azure/armId';
import { LrsClient } from '../../core/azure/lrs/client';
import { getManagedInstance, listManagedDatabases } from '../../core/azure/managedInstances';
import { containerSasWithKey, containerSasWithUserDelegation } from '../../core/azure/sas';
import { containerClient, getStorageAccount, getStorageAccountKey } from '../../core/azure/storage';
import { formatLsn } from '../../core/backup';
import { PlanError, type DatabaseChoice } from '../../core/migration';
import { defaultExpectedDays } from '../../core/migration/lrsChecks';
import { LRS_MODES, validateLrsPlan, type LrsAccess, type LrsMode, type LrsPlan } from '../../core/migration/lrsPlan';
import { runLrsPlan } from '../../core/migration/lrsRun';
import { readTdeEvidence, type TdeEvidence } from '../../core/migration/tdeCheck';
import { tierOfInstance } from '../../core/sku/miLimits';
import { AZURE_HELP, AZURE_OPTIONS, azureSession, need, printJson, str, strs, sandboxExample, SANDBOX_CLOUD, SANDBOX_PROVIDERS } from '../azureArgs';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, type Command, type Values } from '../command';
import { acceptanceOf } from './migrateStart';
import { concurrencyOf, signalOf } from './migrationRefs';
import { connectSourceFrom, connectTargetFrom, SOURCE_OPTIONS, TARGET_OPTIONS, TARGET_PASSWORD_ENV, TARGET_TOKEN_ENV } from './sqlServers';

/** The TDE check's evidence: read only when the source is named (LRS itself never reads it). */
function tdeEvidenceOf(values: Values, io: Parameters<Command['run']>[2], databases: readonly string[], ref: Parameters<typeof connectTargetFrom>[2]): Promise<TdeEvidence> {
  if (!str(values, 'source-server')) return Promise.resolve({ source: 'unreadable', reason: 'no --source-server was given to read which databases are encrypted' });
  const canAskTarget = str(values, 'target-user') || str(values, 'target-auth') || io.env[TARGET_TOKEN_ENV];
  return readTdeEvidence({
    databases,
    connectSource: () => connectSourceFrom(values, io),
    connectTarget: canAskTarget ? () => connectTargetFrom(values, io, ref) : `no login for the instance was given (--target-user with ${TARGET_PASSWORD_ENV}, or ${TARGET_TOKEN_ENV})`,
    ...signalOf(io),
  });
}

const ACCESS: Record<string, LrsAccess> = { sas: 'sas', 'managed-identity': 'managedIdentity' };

function pairs(values: Values, name: string): Map<string, string> {
  return new Map(strs(values, name).map((p) => {
    const i = p.indexOf('=');
    if (i <= 0) throw new UsageError(`--${name} wants DATABASE=VALUE, not ${p}`);
    return [p.slice(0, i), p.slice(i + 1)] as const;
  }));
}

function databasesOf(values: Values): DatabaseChoice[] {
  const last = pairs(values, 'last-backup');
  const local = pairs(values, 'local');
  return strs(values, 'database').map((d): DatabaseChoice => {
    const [source, target] = d.split('=', 2) as [string, string | undefined];
    return { source, ...(target && { target }), ...(last.get(source) && { lastBackupName: last.get(source) }), ...(local.get(source) && { localFolder: local.get(source) }) };
  });
}

function daysOf(values: Values): number | undefined {
  const v = str(values, 'expected-days');
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n > 0) || n > 365) throw new UsageError('--expected-days must be a number of days from 1 to 365');
  return n;
}

export const logReplayStart: Command = {
  name: ['log-replay', 'start'],
  summary: 'Restore databases with the Log Replay Service (no migration service, no integration runtime)',
  usage: 'sqlmig log-replay start --target MI_ID --storage-account-id ID --container C --database NAME[=TARGET]... [--local DB=DIR]... [--mode continuous|autocomplete] [--access sas|managed-identity] [azure options]',
  help: `The managed instance restores each database from its own flat folder of a blob container (the
Log Replay Service): no Database Migration Service and no self-hosted integration runtime.

Checks everything first, as the service would find it late: the plan (names, one folder per
database), every database's backup chain (local backups against the blob folder, or the folder
itself: no LSN gap, no missing stripe, a full backup), one flat folder per database with no
other database in it, the FULL recovery model, backups of SQL Server 2008 or later, and the
access: a SAS token granting exactly Read and List (no stored access policy) that outlives the
restore, tried as the service will use it, or the instance's managed identity. While a problem
stands, nothing is uploaded or started and the exit code is 2. Warnings: a restore runs at most
30 days, an instance runs at most 100 restores at once. Then local chains go up (--local) and the
restores start, a few at a time, with one result per database.

Modes:
  continuous (default)   each backup is restored as it arrives (keep "sqlmig backups upload --watch"
                         running); ends with "sqlmig log-replay complete", the cutover
  autocomplete           the whole chain is in the folder first; the restore ends by itself after its
                         last file, taken from the chain (a --last-backup given must be that file)

The container's access (a secret never printed or saved):
  --access sas           (default) a SAS token: SQLMIG_LRS_SAS if set, otherwise sqlmig creates one
                         with Read and List only, signed with the account key (--sas-signed-with
                         account-key, the default) or a user delegation key (user-delegation: your
                         Entra account, at most 7 days)
  --access managed-identity
                         the instance's managed identity reads the container (it needs Storage Blob
                         Data Reader on the account)

Options:
  --target MI_ID            the target managed instance's resource id
  --storage-account-id ID   the storage account of the container
  --container NAME          the blob container; each database's backups in its own folder (its name)
  --database NAME[=TARGET]  a database to restore, optionally under another name (repeat)
  --local DB=DIR            upload DB's backups from DIR first (repeat per database)
  --last-backup DB=FILE     autocomplete: the last backup file of DB (default: the chain's last)
  --expected-days N         how long the restores will take (default 30 continuous, 7 autocomplete):
                            the SAS token must outlive them
  --collation NAME          the collation the restore request names (default: the instance's)
  --concurrency N           databases uploaded and started at once (default 4)
  --new-base                --local: plan from the newest full even where the folder holds a chain
  --accept CODE --reason T  start although a chain has this problem (lsn-gap or missing-stripe), or
                            a TDE database's certificate could not be checked (tde-unverified)

TDE: with --source-server (and --source-user, SQLMIG_SOURCE_PASSWORD), a database encrypted with
TDE is not started until the instance holds its certificate ("sqlmig tde apply"), read with
--target-user (SQLMIG_TARGET_PASSWORD) or SQLMIG_TARGET_ACCESS_TOKEN; the connection options are
those of "sqlmig tde plan". Without --source-server the check is skipped, with a warning.

Secrets from the environment only: SQLMIG_LRS_SAS (your own SAS token), AZURE_STORAGE_KEY (the
account key; otherwise read through Azure).

${AZURE_HELP}

${sandboxExample([
  `S=${SANDBOX_PROVIDERS}`,
  `sqlmig log-replay start ${SANDBOX_CLOUD} --target $S/Microsoft.Sql/managedInstances/sqlmi-sandbox \\`,
  `  --storage-account-id $S/Microsoft.Storage/storageAccounts/sqlmigsandbox --container replay --local Sales=/tmp/sqlmig-backups/Sales --database Sales=SalesReplay`,
], 'sample backups: npm run demo:scan -- --out /tmp/sqlmig-backups')}

Exit code: 0 when every restore started, 1 when any failed, 2 on usage errors or a problem found by the checks.`,
  options: {
    ...AZURE_OPTIONS,
    target: { type: 'string' },
    'storage-account-id': { type: 'string' },
    container: { type: 'string' },
    database: { type: 'string', multiple: true },
    local: { type: 'string', multiple: true },
    'last-backup': { type: 'string', multiple: true },
    mode: { type: 'string' },
    access: { type: 'string' },
    'sas-signed-with': { type: 'string' },
    'expected-days': { type: 'string' },
    collation: { type: 'string' },
    concurrency: { type: 'string' },
    'new-base': { type: 'boolean' },
    accept: { type: 'string', multiple: true },
    reason: { type: 'string' },
    ...SOURCE_OPTIONS,
    ...TARGET_OPTIONS,
  },
  async run(values, _p, io) {
    const mode = (str(values, 'mode') ?? 'continuous') as LrsMode;
    if (!LRS_MODES.includes(mode)) throw new UsageError(`--mode is continuous or autocomplete, not ${mode}`);
    const access = ACCESS[str(values, 'access') ?? 'sas'];
    if (!access) throw new UsageError('--access is sas or managed-identity');
    const signedWith = str(values, 'sas-signed-with') ?? 'account-key';
    if (!['account-key', 'user-delegation'].includes(signedWith)) throw new UsageError('--sas-signed-with is account-key or user-delegation');
    const userSas = io.env.SQLMIG_LRS_SAS;
    if (access === 'managedIdentity' && userSas) throw new UsageError('SQLMIG_LRS_SAS is set, but --access managed-identity reads the container without a token: unset one of them');
    const databases = databasesOf(values);
    const locals = databases.filter((d) => d.localFolder).length;
    if (locals && locals !== databases.length) throw new UsageError('give --local for every database, or for none (their backups are then in the container already)');
    const expectedDays = daysOf(values);
    const concurrency = concurrencyOf(values);
    const accept = acceptanceOf(values);
    const targetId = need(values, 'target');
    const storageAccountId = need(values, 'storage-account-id');
    const containerName = need(values, 'container');
    const target = (() => {
      try {
        return parseArmId(targetId);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    })();

    const session = await azureSession(values, io);
    const [instance, existing] = await Promise.all([
      getManagedInstance(session.ctx, target.subscriptionId, target.resourceGroup, target.name, io.signal),
      listManagedDatabases(session.ctx, target.subscriptionId, target.resourceGroup, target.name, io.signal),
    ]);
    const tier = tierOfInstance(instance.tier);
    let plan: LrsPlan;
    try {
      plan = validateLrsPlan({
        targetInstanceId: targetId,
        targetLocation: instance.location,
        collation: str(values, 'collation') ?? instance.collation ?? 'SQL_Latin1_General_CP1_CI_AS',
        mode,
        backup: { kind: locals ? 'upload' : 'blob', storageAccountId, container: containerName },
        access,
        databases,
        existingTargetDatabases: existing.map((d) => d.name),
        ...(tier && { targetTier: tier }),
      });
    } catch (e) {
      if (e instanceof PlanError) throw new UsageError(e.message);
      throw e;
    }
    const account = await getStorageAccount(session.ctx, storageAccountId, io.signal);
    if (!account.blobEndpoint) throw new Error(`storage account ${account.name} reports no blob endpoint`);
    const accountKey = io.env.AZURE_STORAGE_KEY ?? (await getStorageAccountKey(session.ctx, storageAccountId, io.signal));
    const container: ContainerClient = containerClient({ blobEndpoint: account.blobEndpoint, accountName: account.name, accountKey }, containerName);

    // The token lives in memory only: it goes into the restore requests and nowhere else.
    let sasToken: string | undefined;
    if (access === 'sas') {
      if (userSas) sasToken = userSas;
      else {
        const expiresOn = new Date(Date.now() + ((expectedDays ?? defaultExpectedDays(plan)) + 1) * 86_400_000);
        const o = { blobEndpoint: account.blobEndpoint, accountName: account.name, container: containerName, expiresOn, ...signalOf(io) };
        sasToken = signedWith === 'user-delegation' ? await containerSasWithUserDelegation({ ...o, credential: session.ctx.credential }) : containerSasWithKey({ ...o, accountKey });
      }
    }

    const tde = await tdeEvidenceOf(values, io, plan.planned.map((d) => d.source), {
      arm: { subscriptionId: target.subscriptionId, resourceGroup: target.resourceGroup, managedInstance: target.name, id: targetId },
      session,
    });
    const lastOf = new Map<string, string>();
    const run = await runLrsPlan(new LrsClient(session.ctx, { secrets: [accountKey, ...(sasToken ? [sasToken] : [])] }), plan, {
      container,
      blobEndpoint: account.blobEndpoint,
      ...(sasToken && { sasToken }),
      instance: { name: instance.name, ...(instance.identity && { identity: instance.identity }) },
      restoringOnInstance: existing.filter((d) => d.status.toLowerCase() === 'restoring').length,
      ...(expectedDays && { expectedDays }),
      ...(accept && { accept }),
      tde,
      ...(values['new-base'] && { newBase: true }),
      concurrency,
      ...signalOf(io),
      onWarning: (w) => io.err(`warning: ${w}`),
      onEvent: (e) => {
        if (e.type === 'tde-warning') io.err(`warning: ${e.message}`);
        if (e.type === 'checked') {
          for (const r of e.chains) {
            for (const w of r.warnings) io.err(`warning: ${r.source}: ${w}`);
            if (r.lastBackupName) lastOf.set(r.source, r.lastBackupName);
          }
        }
        if (values.json) return;
        if (e.type === 'uploaded') {
          const pre = e.chain.preflight;
          const already = pre?.continues ? ` (continuing the chain already there, up to LSN ${formatLsn(pre.continues.reachedLsn)})` : '';
          io.out(`${e.database}: ${e.files} backup file(s) uploaded to ${containerName}/${e.chain.folder}/${already}`);
        } else if (e.type === 'upload-failed') io.out(`FAILED   ${e.database}\n  ${e.error.replace(/\n/g, '\n  ')}`);
        else if (e.type === 'started') {
          const r = e.result;
          const last = plan.lrsMode === 'autocomplete' && r.ok && lastOf.get(r.source) ? `  (autocomplete up to ${lastOf.get(r.source)})` : '';
          io.out(r.ok ? `started  ${r.source} -> ${r.target}  ${r.status ?? ''}${last}` : `FAILED   ${r.source} -> ${r.target}\n  ${r.error?.replace(/\n/g, '\n  ')}`);
        }
      },
    });
    if (run.refused) {
      if (values.json) printJson(io, { started: false, problems: run.refused, warnings: run.warnings });
      io.err(`Nothing was uploaded or started: ${run.refused.length === 1 ? 'a problem stands' : `${run.refused.length} problems stand`}:\n${run.refused.map((b) => `  - ${b}`).join('\n')}`);
      return EXIT_USAGE;
    }
    if (accept) io.err(`accepted: ${accept.codes.join(', ')} (${accept.reason})`);
    const results = [...run.started, ...run.uploadFailures.map((f) => ({ source: f.source, target: f.target, ok: false, error: f.error, migrationId: '' }))];
    if (values.json) printJson(io, { restores: results.map((r) => ({ ...r, restore: r.migrationId })), warnings: run.warnings });
    else {
      const follow = results.length === 1 && results[0]!.migrationId ? `--restore ${results[0]!.migrationId}` : `--target ${targetId}`;
      io.out(`${results.filter((r) => r.ok).length} of ${results.length} started. Follow them with: sqlmig log-replay status ${follow} --watch`);
    }
    return results.every((r) => r.ok) ? EXIT_OK : EXIT_FAILED;
  },
};
