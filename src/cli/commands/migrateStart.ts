/** `sqlmig migrate start`: check every backup chain, upload local ones, start the migrations. */
import { readFile } from 'node:fs/promises';
import type { ContainerClient } from '@azure/storage-blob';
import { DmsClient } from '../../core/azure/dms/client';
import { getManagedInstance, listManagedDatabases } from '../../core/azure/managedInstances';
import { tierOfInstance } from '../../core/sku/miLimits';
import { managedIdentityAccess } from '../../core/migration/storageAccess';
import { containerClient, getStorageAccount, getStorageAccountKey } from '../../core/azure/storage';
import { parseArmId } from '../../core/azure/armId';
import { formatLsn, type PlanProblemCode } from '../../core/backup';
import { ACCEPTABLE_PROBLEMS, runMigrationPlan, PlanError, validatePlan, type Acceptance, type BackupSource, type DatabaseChoice, type MigrationPlan, type MigrationPlanInput } from '../../core/migration';
import { AZURE_HELP, AZURE_OPTIONS, azureSession, need, type AzureSession, printJson, secretFromEnv, str, strs, sandboxExample, SANDBOX_CLOUD, SANDBOX_PROVIDERS } from '../azureArgs';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, type Command, type Values } from '../command';
import { ACCEPTABLE_TDE_PROBLEMS, readTdeEvidence, tdeVerdict, type TdeEvidence, type TdeProblemCode } from '../../core/migration/tdeCheck';
import { concurrencyOf, signalOf } from './migrationRefs';
import { connectSourceFrom, connectTargetFrom, TARGET_PASSWORD_ENV, TARGET_TOKEN_ENV } from './sqlServers';

export function acceptanceOf(values: Values): Acceptance | undefined {
  const codes = strs(values, 'accept');
  const reason = str(values, 'reason');
  if (!codes.length) {
    if (reason) throw new UsageError('--reason goes with --accept');
    return undefined;
  }
  const acceptable = [...ACCEPTABLE_PROBLEMS, ...ACCEPTABLE_TDE_PROBLEMS];
  for (const c of codes) {
    if (!(acceptable as string[]).includes(c)) throw new UsageError(`--accept takes ${acceptable.join(', ')}, not ${c}: other problems cannot be accepted`);
  }
  if (!reason?.trim()) throw new UsageError('--accept needs --reason: say why the migration may start with this problem');
  return { codes: codes as (PlanProblemCode | TdeProblemCode)[], reason };
}

interface PlanFile {
  source: { dataSource: string; authentication?: 'SqlAuthentication' | 'WindowsAuthentication'; userName: string; encryptConnection?: boolean; trustServerCertificate?: boolean };
  targetInstanceId: string;
  migrationServiceId: string;
  mode?: 'online' | 'offline';
  backup: { kind: 'blob' | 'upload'; storageAccountId: string; container: string; authType?: 'AccountKey' | 'ManagedIdentity' } | { kind: 'share'; storageAccountId: string; path: string; userName: string };
  databases: DatabaseChoice[];
}

async function planFileFrom(values: Values): Promise<PlanFile> {
  const file = str(values, 'plan');
  if (file) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (e) {
      throw new UsageError(`cannot read the plan file ${file}: ${(e as Error).message}`);
    }
    const text = JSON.stringify(json);
    if (/"(password|accountKey)"\s*:/i.test(text)) throw new UsageError(`the plan file ${file} holds a password or key: remove it and pass secrets through the environment`);
    return json as PlanFile;
  }
  const pairs = (name: string) => new Map(strs(values, name).map((p) => {
    const i = p.indexOf('=');
    if (i <= 0) throw new UsageError(`--${name} wants DATABASE=VALUE, not ${p}`);
    return [p.slice(0, i), p.slice(i + 1)] as const;
  }));
  const last = pairs('last-backup');
  const local = pairs('local');
  const databases = strs(values, 'database').map((d): DatabaseChoice => {
    const [source, target] = d.split('=', 2) as [string, string | undefined];
    return { source, ...(target && { target }), ...(last.get(source) && { lastBackupName: last.get(source) }), ...(local.get(source) && { localFolder: local.get(source) }) };
  });
  const share = str(values, 'share');
  const storageAccountId = need(values, 'storage-account-id');
  return {
    source: { dataSource: need(values, 'source-server'), authentication: values['windows-auth'] ? 'WindowsAuthentication' : 'SqlAuthentication', userName: need(values, 'source-user') },
    targetInstanceId: need(values, 'target'),
    migrationServiceId: need(values, 'service'),
    mode: (str(values, 'mode') ?? 'online') as 'online' | 'offline',
    backup: share
      ? { kind: 'share', storageAccountId, path: share, userName: need(values, 'share-user', 'with --share') }
      : { kind: local.size ? 'upload' : 'blob', storageAccountId, container: need(values, 'container', '(or --share)'), ...blobAuthOf(values) },
    databases,
  };
}

/** --blob-auth: how the service reads the container (the instance's managed identity sends no key). */
function blobAuthOf(values: Values): { authType?: 'ManagedIdentity' } {
  const v = str(values, 'blob-auth') ?? 'account-key';
  if (v !== 'account-key' && v !== 'managed-identity') throw new UsageError('--blob-auth is account-key or managed-identity');
  return v === 'managed-identity' ? { authType: 'ManagedIdentity' } : {};
}

/**
 * The TDE check's evidence: the source read from here with the plan's login (through the cloud
 * file's mapping of its name), the instance with --target-user or a token when one is given.
 */
function tdeEvidenceOf(values: Values, io: Parameters<Command['run']>[2], file: PlanFile, t: { session: AzureSession; target: { subscriptionId: string; resourceGroup: string; name: string } }): Promise<TdeEvidence> {
  const source: Values = {
    ...values,
    'source-server': file.source.dataSource,
    'source-user': file.source.userName,
    'source-auth': file.source.authentication === 'WindowsAuthentication' ? 'windows' : 'sql',
  };
  const ref = { arm: { subscriptionId: t.target.subscriptionId, resourceGroup: t.target.resourceGroup, managedInstance: t.target.name, id: file.targetInstanceId }, session: t.session };
  const canAskTarget = str(values, 'target-user') || str(values, 'target-auth') || io.env[TARGET_TOKEN_ENV];
  return readTdeEvidence({
    databases: (file.databases ?? []).map((d) => d.source),
    connectSource: () => connectSourceFrom(source, io),
    connectTarget: canAskTarget
      ? () => connectTargetFrom(values, io, ref)
      : `no login for the instance was given (--target-user with ${TARGET_PASSWORD_ENV}, or ${TARGET_TOKEN_ENV})`,
    ...signalOf(io),
  });
}

export const migrateStart: Command = {
  name: ['migrate', 'start'],
  summary: 'Start migrating databases to a managed instance (online or offline)',
  usage: 'sqlmig migrate start (--plan FILE | --service ID --target MI_ID --source-server S --source-user U --storage-account-id ID (--container C | --share UNC --share-user DOMAIN\\user) --database NAME[=TARGET]...) [--mode online|offline] [azure options]',
  help: `Checks the whole plan first (names, one folder per database, target names not already on the
instance ...) and every database's backup chain as the service will see it: in upload mode the
local backups planned against what the blob folder already holds (a chain there is continued,
never re-based), in blob mode the folder itself. Every problem is reported at once, and while
one stands (SIMPLE recovery online, an LSN gap, a missing stripe, no full backup, two databases
in a folder ...) nothing is uploaded or created and the exit code is 2. Then, in upload mode,
each database's chain goes up to its folder; then the migrations start, a few at a time, with
one result per database. An offline migration is told the last file of its chain.

Secrets come from the environment only:
  SQLMIG_SOURCE_PASSWORD   the source SQL Server login's password
  SQLMIG_SHARE_PASSWORD    the network share user's password (--share)
  AZURE_STORAGE_KEY        the storage account key (otherwise read through Azure)

Plan:
  --plan FILE              a JSON plan: {source:{dataSource,authentication,userName}, targetInstanceId,
                           migrationServiceId, mode, backup:{kind:"blob"|"upload"|"share", storageAccountId,
                           container | path,userName}, databases:[{source,target?,folder?,lastBackupName?,localFolder?}]}
                           (no secrets in it); or the options below:
  --service ID             the Database Migration Service's resource id
  --target MI_ID           the target managed instance's resource id
  --source-server NAME     the source SQL Server as the integration runtime reaches it
  --source-user LOGIN      its login (DOMAIN\\user with --windows-auth)
  --windows-auth           Windows authentication instead of SQL authentication
  --mode MODE              online (default; ends with a cutover) or offline
  --storage-account-id ID  the storage account holding (or receiving) the backups
  --container NAME         blob container; each database's backups in its own folder (its name)
  --local DB=DIR           upload mode: upload DB's backups from DIR first (repeat per database)
  --blob-auth MODE         how the service reads the container: account-key (default) or
                           managed-identity (the instance's; it needs Storage Blob Data Reader)
  --share UNC              network share read by the integration runtime, with --share-user
  --database NAME[=TARGET] a database to migrate, optionally under another name (repeat)
  --last-backup DB=FILE    offline blob migrations: the last backup file of DB (repeat); with --local
                           it is taken from the chain uploaded (a name given must be that file)
  --concurrency N          databases uploaded and started at once (default 4)
  --new-base               --local: plan from the newest full even where the blob folder holds a
                           chain already (only for a folder no migration restores from yet)
  --accept CODE --reason TEXT
                           start although a database's chain has this problem (lsn-gap or
                           missing-stripe; repeat --accept for both), or a TDE database whose
                           certificate could not be checked (tde-unverified) or is protected by an
                           EKM key (tde-not-certificate): the reason is printed

TDE: a database encrypted with TDE is not started until the instance holds its certificate
("sqlmig tde apply" uploads it). sqlmig reads the encrypted databases from the source (the
server above, through the cloud file's mapping of its name) and, when one is planned, the
certificates in the instance's master, with the instance's login:
  --target-user USER       a SQL login of the instance (password: ${TARGET_PASSWORD_ENV}); without it,
                           ${TARGET_TOKEN_ENV} (a Microsoft Entra token for the cloud's SQL audience)
  --target-auth sql|entra-token, --public-endpoint, --target-server HOST[,PORT],
  --trust-target-certificate, --target-certificate FILE, --trust-source-certificate
                           as in "sqlmig tde plan"
Without a way to ask the instance, a TDE database is refused (tde-unverified); a source that
cannot be read from here is a warning.

${AZURE_HELP}

${sandboxExample([
  `S=${SANDBOX_PROVIDERS}`,
  `read -rs SQLMIG_SOURCE_PASSWORD && export SQLMIG_SOURCE_PASSWORD   # any value: the sandbox does not check it`,
  `sqlmig migrate start ${SANDBOX_CLOUD} --service $S/Microsoft.DataMigration/sqlMigrationServices/dms-sandbox \\`,
  `  --target $S/Microsoft.Sql/managedInstances/sqlmi-sandbox --source-server SQLSRC01 --source-user migrator \\`,
  `  --storage-account-id $S/Microsoft.Storage/storageAccounts/sqlmigsandbox --container migrations --local Sales=/tmp/sqlmig-backups/Sales --database Sales`,
], 'sample backups: npm run demo:scan -- --out /tmp/sqlmig-backups')}

Exit code: 0 when every database started, 1 when any failed, 2 on usage or plan errors.`,
  options: {
    ...AZURE_OPTIONS,
    plan: { type: 'string' },
    service: { type: 'string' },
    target: { type: 'string' },
    'source-server': { type: 'string' },
    'source-user': { type: 'string' },
    'windows-auth': { type: 'boolean' },
    mode: { type: 'string' },
    'storage-account-id': { type: 'string' },
    container: { type: 'string' },
    local: { type: 'string', multiple: true },
    share: { type: 'string' },
    'share-user': { type: 'string' },
    database: { type: 'string', multiple: true },
    'last-backup': { type: 'string', multiple: true },
    concurrency: { type: 'string' },
    'new-base': { type: 'boolean' },
    'blob-auth': { type: 'string' },
    accept: { type: 'string', multiple: true },
    reason: { type: 'string' },
    'target-user': { type: 'string' },
    'target-auth': { type: 'string' },
    'target-server': { type: 'string' },
    'public-endpoint': { type: 'boolean' },
    'trust-target-certificate': { type: 'boolean' },
    'target-certificate': { type: 'string' },
    'trust-source-certificate': { type: 'boolean' },
  },
  async run(values, _p, io) {
    const file = await planFileFrom(values);
    const concurrency = concurrencyOf(values);
    const password = secretFromEnv(io, 'SQLMIG_SOURCE_PASSWORD', 'source SQL Server password');
    const session = await azureSession(values, io);
    const accountKey = io.env.AZURE_STORAGE_KEY ?? (await getStorageAccountKey(session.ctx, file.backup.storageAccountId, io.signal));
    const backup: BackupSource =
      file.backup.kind === 'share'
        ? { ...file.backup, password: secretFromEnv(io, 'SQLMIG_SHARE_PASSWORD', 'network share password'), accountKey }
        : { ...file.backup, accountKey };
    const target = (() => {
      try {
        return parseArmId(file.targetInstanceId);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    })();
    const [existing, instance] = await Promise.all([
      listManagedDatabases(session.ctx, target.subscriptionId, target.resourceGroup, target.name, io.signal),
      getManagedInstance(session.ctx, target.subscriptionId, target.resourceGroup, target.name, io.signal),
    ]);
    const targetTier = tierOfInstance(instance.tier);
    if (file.backup.kind !== 'share' && file.backup.authType === 'ManagedIdentity') {
      const access = managedIdentityAccess(instance, file.backup.storageAccountId, 'or read it with the account key (--blob-auth account-key)');
      if (access.problem) throw new UsageError(access.problem);
      io.err(`warning: ${access.warning}`);
    }
    const input: MigrationPlanInput = {
      source: { authentication: 'SqlAuthentication', ...file.source, password },
      targetInstanceId: file.targetInstanceId,
      migrationServiceId: file.migrationServiceId,
      mode: file.mode ?? 'online',
      backup,
      databases: file.databases ?? [],
      existingTargetDatabases: existing.map((d) => d.name),
      ...(targetTier && { targetTier }),
    };
    let plan: MigrationPlan;
    try {
      plan = validatePlan(input);
    } catch (e) {
      if (e instanceof PlanError) throw new UsageError(e.message);
      throw e;
    }
    for (const w of plan.warnings) io.err(`warning: ${w}`);
    const accept = acceptanceOf(values);
    let container: ContainerClient | undefined;
    if (backup.kind === 'upload' || backup.kind === 'blob') {
      const account = await getStorageAccount(session.ctx, backup.storageAccountId, io.signal);
      if (!account.blobEndpoint) throw new Error(`storage account ${account.name} reports no blob endpoint`);
      container = containerClient({ blobEndpoint: account.blobEndpoint, accountName: account.name, accountKey }, backup.container);
    }
    const tde = await tdeEvidenceOf(values, io, file, { session, target });
    const run = await runMigrationPlan(new DmsClient(session.ctx), plan, {
      ...(container && { container }),
      ...(accept && { accept }),
      tde,
      ...(values['new-base'] && { newBase: true }),
      concurrency,
      ...signalOf(io),
      onEvent: (e) => {
        if (e.type === 'checked') for (const r of e.chains) for (const w of r.warnings) io.err(`warning: ${r.source}: ${w}`);
        if (e.type === 'tde-warning') io.err(`warning: ${e.message}`);
        if (values.json) return;
        if (e.type === 'uploaded') {
          const pre = e.chain.preflight;
          const already = pre?.continues ? ` (continuing the chain already there, up to LSN ${formatLsn(pre.continues.reachedLsn)})` : '';
          io.out(`${e.database}: ${e.files} backup file(s) uploaded to ${file.backup.kind === 'share' ? '' : (file.backup as { container: string }).container}/${e.chain.folder}/${already}`);
        } else if (e.type === 'upload-failed') io.out(`FAILED   ${e.database}\n  ${e.error.replace(/\n/g, '\n  ')}`);
        else if (e.type === 'started') {
          const r = e.result;
          io.out(r.ok ? `started  ${r.source} -> ${r.target}  ${r.status ?? ''}` : `FAILED   ${r.source} -> ${r.target}\n  ${r.error?.replace(/\n/g, '\n  ')}`);
        }
      },
    });
    if (run.refused) {
      if (values.json) printJson(io, { started: false, problems: run.refused });
      const what = tdeVerdict(plan.planned.map((d) => d.source), tde, accept?.codes).refused.length ? 'the plan has' : 'the backup chains have';
      io.err(`Nothing was uploaded or started: ${what} ${run.refused.length === 1 ? 'a problem' : `${run.refused.length} problems`}:\n${run.refused.map((b) => `  - ${b}`).join('\n')}`);
      return EXIT_USAGE;
    }
    if (accept) io.err(`accepted: ${accept.codes.join(', ')} (${accept.reason})`);
    const results = [...run.started, ...run.uploadFailures.map((f) => ({ source: f.source, target: f.target, ok: false, error: f.error, migrationId: '' }))];
    if (values.json) printJson(io, { migrations: results });
    else {
      const follow = results.length === 1 ? `--migration ${results[0]!.migrationId}` : `--service ${file.migrationServiceId}`;
      io.out(`${results.filter((r) => r.ok).length} of ${results.length} started. Follow them with: sqlmig migrate status ${follow} --watch`);
    }
    return results.every((r) => r.ok) ? EXIT_OK : EXIT_FAILED;
  },
};
