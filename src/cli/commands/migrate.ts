/** `sqlmig migrate ...`: start, watch, cut over, cancel and delete database migrations. */
import { readFile } from 'node:fs/promises';
import type { ContainerClient } from '@azure/storage-blob';
import { DmsClient, migrationIdOf, migrationRefFromId, serviceRefFromId, type MigrationRef } from '../../core/azure/dms/client';
import type { DatabaseMigration, DatabaseMigrationSqlMi } from '../../core/azure/dms/models';
import { listManagedDatabases } from '../../core/azure/managedInstances';
import { containerClient, getStorageAccount, getStorageAccountKey } from '../../core/azure/storage';
import { parseArmId } from '../../core/azure/armId';
import { formatLsn, mapBounded, type PlanProblemCode } from '../../core/backup';
import {
  ACCEPTABLE_PROBLEMS,
  backupFiles,
  cancelMany,
  cutoverMany,
  deleteMany,
  migrationProblems,
  readCutoverLocation,
  runMigrationPlan,
  PlanError,
  statusOf,
  validatePlan,
  withoutSecrets,
  type Acceptance,
  type CutoverOverride,
  type CutoverOverrides,
  type CutoverResult,
  type BackupSource,
  type DatabaseChoice,
  type MigrationPlan,
  type MigrationPlanInput,
  type OperationResult,
} from '../../core/migration';
import { table } from '../../core/text';
import { AZURE_HELP, AZURE_OPTIONS, azureSession, need, printJson, secretFromEnv, str, strs, type AzureSession, sandboxExample, SANDBOX_CLOUD, SANDBOX_PROVIDERS } from '../azureArgs';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, type Command, type Io, type Values } from '../command';
import { watchMigrations } from './migrateWatch';

const REF_OPTIONS = {
  migration: { type: 'string' as const, multiple: true },
  target: { type: 'string' as const },
  database: { type: 'string' as const, multiple: true },
};
const REF_HELP = `Which migrations (repeat for many):
  --migration ID         a database migration's resource id
                         (…/managedInstances/MI/providers/Microsoft.DataMigration/databaseMigrations/DB), or:
  --target MI_ID         the target managed instance's resource id, with
  --database NAME        each target database name`;

function refsFrom(values: Values): MigrationRef[] {
  const refs: MigrationRef[] = [];
  try {
    for (const id of strs(values, 'migration')) refs.push(migrationRefFromId(id));
    const target = str(values, 'target');
    const dbs = strs(values, 'database');
    if (target || dbs.length) {
      if (!target || !dbs.length) throw new Error('--target and --database go together');
      const mi = parseArmId(target);
      for (const db of dbs) refs.push({ subscriptionId: mi.subscriptionId, resourceGroup: mi.resourceGroup, managedInstance: mi.name, targetDatabase: db });
    }
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return refs;
}

/** --concurrency: how many databases are handled at once (default 4: ARM throttles bursts). */
function concurrencyOf(values: Values): number {
  const n = Number(str(values, 'concurrency') ?? 4);
  if (!Number.isInteger(n) || n < 1 || n > 32) throw new UsageError('--concurrency must be a whole number from 1 to 32');
  return n;
}

function signalOf(io: Io) {
  return io.signal ? { signal: io.signal } : {};
}

// ---- start -------------------------------------------------------------------------------

function acceptanceOf(values: Values): Acceptance | undefined {
  const codes = strs(values, 'accept');
  const reason = str(values, 'reason');
  if (!codes.length) {
    if (reason) throw new UsageError('--reason goes with --accept');
    return undefined;
  }
  for (const c of codes) {
    if (!ACCEPTABLE_PROBLEMS.has(c as PlanProblemCode)) throw new UsageError(`--accept takes ${[...ACCEPTABLE_PROBLEMS].join(' or ')}, not ${c}: other problems cannot be accepted`);
  }
  if (!reason?.trim()) throw new UsageError('--accept needs --reason: say why the migration may start with this problem');
  return { codes: codes as PlanProblemCode[], reason };
}

interface PlanFile {
  source: { dataSource: string; authentication?: 'SqlAuthentication' | 'WindowsAuthentication'; userName: string; encryptConnection?: boolean; trustServerCertificate?: boolean };
  targetInstanceId: string;
  migrationServiceId: string;
  mode?: 'online' | 'offline';
  backup: { kind: 'blob' | 'upload'; storageAccountId: string; container: string } | { kind: 'share'; storageAccountId: string; path: string; userName: string };
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
      : { kind: local.size ? 'upload' : 'blob', storageAccountId, container: need(values, 'container', '(or --share)') },
    databases,
  };
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
  --share UNC              network share read by the integration runtime, with --share-user
  --database NAME[=TARGET] a database to migrate, optionally under another name (repeat)
  --last-backup DB=FILE    offline blob migrations: the last backup file of DB (repeat); with --local
                           it is taken from the chain uploaded (a name given must be that file)
  --concurrency N          databases uploaded and started at once (default 4)
  --new-base               --local: plan from the newest full even where the blob folder holds a
                           chain already (only for a folder no migration restores from yet)
  --accept CODE --reason TEXT
                           start although a database's chain has this problem (lsn-gap or
                           missing-stripe; repeat --accept for both): the reason is printed

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
    accept: { type: 'string', multiple: true },
    reason: { type: 'string' },
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
    const existing = await listManagedDatabases(session.ctx, target.subscriptionId, target.resourceGroup, target.name, io.signal);
    const input: MigrationPlanInput = {
      source: { authentication: 'SqlAuthentication', ...file.source, password },
      targetInstanceId: file.targetInstanceId,
      migrationServiceId: file.migrationServiceId,
      mode: file.mode ?? 'online',
      backup,
      databases: file.databases ?? [],
      existingTargetDatabases: existing.map((d) => d.name),
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
    const run = await runMigrationPlan(new DmsClient(session.ctx), plan, {
      ...(container && { container }),
      ...(accept && { accept }),
      ...(values['new-base'] && { newBase: true }),
      concurrency,
      ...signalOf(io),
      onEvent: (e) => {
        if (e.type === 'checked') for (const r of e.chains) for (const w of r.warnings) io.err(`warning: ${r.source}: ${w}`);
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
      io.err(`Nothing was uploaded or started: the backup chains have ${run.refused.length === 1 ? 'a problem' : `${run.refused.length} problems`}:\n${run.refused.map((b) => `  - ${b}`).join('\n')}`);
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

// ---- status ------------------------------------------------------------------------------

function row(m: DatabaseMigration | DatabaseMigrationSqlMi): string[] {
  const p = m.properties;
  return [m.name ?? '', p?.sourceDatabaseName ?? '', statusOf(m), p?.offlineConfiguration?.offline ? 'offline' : 'online', p?.startedOn ?? '', migrationProblems(m).length ? `${migrationProblems(m).length} problem(s)` : ''];
}

function describeDetailed(m: DatabaseMigrationSqlMi): string {
  const p = m.properties;
  const d = p?.migrationStatusDetails;
  const lines = [
    `${m.name}: ${statusOf(m)}  (source ${p?.sourceServerName ?? ''}/${p?.sourceDatabaseName ?? ''}, ${p?.offlineConfiguration?.offline ? 'offline' : 'online'}, operation ${p?.migrationOperationId ?? 'none'})`,
    ...(d ? [`  full backup restored: ${d.isFullBackupRestored ? 'yes' : 'no'}; log backups pending: ${d.pendingLogBackupsCount ?? 0}; restoring: ${d.currentRestoringFilename ?? '-'}; last restored: ${d.lastRestoredFilename ?? '-'}`] : []),
    ...migrationProblems(m).map((x) => `  ! ${x}`),
  ];
  const files = backupFiles(m);
  if (files.length) lines.push(table([['File', 'Type', 'State', 'First LSN', 'Last LSN', 'Note'], ...files.map((f) => [f.fileName, f.backupType ?? '', f.state, f.firstLsn ?? '', f.lastLsn ?? '', f.reason ?? f.rawStatus ?? ''])], '    '));
  return lines.join('\n');
}

export const migrateStatus: Command = {
  name: ['migrate', 'status'],
  summary: 'Show migrations and their backup files; --watch follows them',
  usage: 'sqlmig migrate status (--service ID... | --migration ID... | --target MI_ID --database NAME...) [--watch [--interval S]] [azure options]',
  help: `With --service, lists every migration of the service (one call per service, however many
there are). With --migration (or --target/--database), shows each one in detail: status,
restore progress, the problems the service reports, and every backup file (Arrived,
Uploading, Uploaded, Restoring, Restored, or Ignored with the reason).

With --watch, keeps refreshing (backing off when Azure throttles) and prints each change as it
happens: a migration's status (ReadyForCutover, Succeeded, Failed with the service's reason...),
each backup file of a watched migration (--migration) moving from Arrived to Restored, and, for
network-share migrations, the integration runtime going offline. It ends when every watched
migration has finished (or on Ctrl-C); with --json it prints one JSON object per change.

  --service ID           a migration service's resource id (repeat)
${REF_HELP}
  --watch                follow until the watched migrations finish
  --interval SECONDS     refresh interval for --watch (default 15)

${AZURE_HELP}

${sandboxExample([
  `S=${SANDBOX_PROVIDERS}`,
  `sqlmig migrate status ${SANDBOX_CLOUD} --service $S/Microsoft.DataMigration/sqlMigrationServices/dms-sandbox`,
  `sqlmig migrate status ${SANDBOX_CLOUD} --target $S/Microsoft.Sql/managedInstances/sqlmi-sandbox --database Sales --watch --interval 2`,
])}

Exit code: 0; with --watch, 0 when every watched migration Succeeded, 1 otherwise; 2 on usage errors.`,
  options: { ...AZURE_OPTIONS, ...REF_OPTIONS, service: { type: 'string', multiple: true }, watch: { type: 'boolean' }, interval: { type: 'string' } },
  async run(values, _p, io) {
    const refs = refsFrom(values);
    let services;
    try {
      services = strs(values, 'service').map(serviceRefFromId);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    if (!refs.length && !services.length) throw new UsageError('name --service, or --migration, or --target with --database');
    const session: AzureSession = await azureSession(values, io);
    const dms = new DmsClient(session.ctx);
    if (values.watch) {
      const seconds = Number(str(values, 'interval') ?? 15);
      if (!Number.isFinite(seconds) || seconds < 0.05) throw new UsageError('--interval must be a number of seconds');
      return watchMigrations(io, dms, { services, refs, intervalMs: seconds * 1000, json: Boolean(values.json), describe: describeDetailed });
    }
    const listed = await mapBounded(services, 4, async (s) => ({ service: s, migrations: await dms.listMigrations(s, signalOf(io)) }));
    const detailed = await mapBounded(refs, 8, (r) => dms.getMigration(r, { expand: true, ...signalOf(io) }));
    if (values.json) {
      printJson(io, {
        services: listed.map((l) => ({ id: `/subscriptions/${l.service.subscriptionId}/resourceGroups/${l.service.resourceGroup}/providers/Microsoft.DataMigration/sqlMigrationServices/${l.service.name}`, migrations: l.migrations.map((m) => ({ id: m.id, name: m.name, status: statusOf(m), properties: withoutSecrets(m).properties })) })),
        migrations: detailed.map((m) => ({ id: m.id, name: m.name, status: statusOf(m), problems: migrationProblems(m), files: backupFiles(m), properties: withoutSecrets(m).properties })),
      });
      return EXIT_OK;
    }
    for (const l of listed) {
      io.out(`${l.service.name}: ${l.migrations.length} migration(s)`);
      if (l.migrations.length) io.out(table([['Target', 'Source', 'Status', 'Mode', 'Started', ''], ...l.migrations.map(row)]));
    }
    for (const m of detailed) io.out(describeDetailed(m));
    return EXIT_OK;
  },
};

// ---- cutover, cancel, delete ----------------------------------------------------------------

const OVERRIDE_OPTIONS: Record<string, CutoverOverride> = {
  'accept-not-ready': 'not-ready',
  'accept-pending': 'pending-backups',
  'accept-blocked': 'restore-blocked',
};

function overridesOf(values: Values): CutoverOverrides {
  if (values['force-reason'] !== undefined) {
    throw new UsageError('--force-reason is gone: each check has its own override now (--accept-not-ready, --accept-pending, --accept-blocked, each with its reason)');
  }
  const out: CutoverOverrides = {};
  for (const [option, check] of Object.entries(OVERRIDE_OPTIONS)) {
    const reason = str(values, option);
    if (reason === undefined) continue;
    if (!reason.trim()) throw new UsageError(`--${option} needs a reason`);
    out[check] = reason;
  }
  return out;
}

/** The DBA confirms the tail-log backup is in the location: a flag, or a question on a terminal. */
async function tailLogConfirmed(values: Values, io: Io): Promise<boolean> {
  if (values['tail-log-taken']) return true;
  if (!io.ask) {
    throw new UsageError('confirm that writes to the source are stopped and the tail-log backup has been taken into the backup location: --tail-log-taken (on a terminal, sqlmig asks)');
  }
  const answer = await io.ask('Are writes to the source stopped, and is the tail-log backup in the backup location? [y/N] ');
  return /^y(es)?$/i.test(answer.trim());
}

function describeCutover(r: CutoverResult, overrides: CutoverOverrides): string {
  const db = r.ref.targetDatabase;
  const why = r.overridden.length ? ` (OVERRIDDEN: ${r.overridden.map((c) => `${c}: ${overrides[c]}`).join('; ')})` : '';
  const head =
    r.outcome === 'completed'
      ? `cut over ${db}: Succeeded${why}`
      : r.outcome === 'started'
        ? `cutover started ${db}: the service says ${r.status ?? 'Completing'}; follow it with sqlmig migrate status --migration ${migrationIdOf(r.ref)} --watch${why}`
        : `${r.outcome.toUpperCase()} ${db}`;
  const blockers = r.outcome === 'refused' || r.overridden.length ? r.blockers.map((b) => `  - ${b}`) : [];
  return [head, ...blockers, ...(r.error ? [`  ${r.error.replace(/\n/g, '\n  ')}`] : [])].join('\n');
}

export const migrateCutover: Command = {
  name: ['migrate', 'cutover'],
  summary: 'Complete online migrations: bring the target databases online',
  usage: 'sqlmig migrate cutover (--migration ID... | --target MI_ID --database NAME...) --tail-log-taken [--no-wait] [azure options]',
  help: `Reads each migration fresh and cuts it over only when it is safe: the full backup restored,
every backup the service lists restored (or ignored), nothing in the backup location past the
last restored LSN that the service has not picked up yet (a tail-log backup uploaded a moment
ago), no upload still running there, nothing blocking the restore, and the service reporting
ReadyForCutover. A refusal names the file. Then it waits until the service says Succeeded (or
Failed, with its reason): a cutover is accepted at once and finishes later.

Before the cutover: stop the application's writes, take the tail-log backup into the backup
location, and confirm it with --tail-log-taken (on a terminal sqlmig asks instead). Many
databases can be cut over at once; each gets its own result.

${REF_HELP}
  --tail-log-taken       writes to the source are stopped and the tail-log backup is in the location
  --no-wait              return once the service accepted the cutover (outcome "started")
  --concurrency N        migrations cut over at once (default 4)

Each check can be overridden on its own, with the reason (data written after the last restored
backup is LOST; overriding one check never overrides another):
  --accept-not-ready TEXT  the service does not say ReadyForCutover yet (e.g. InProgress with
                           everything restored and nothing pending, which it accepts)
  --accept-pending TEXT    backups not restored yet, or in the location and not picked up
  --accept-blocked TEXT    the service reports the restore blocked

${AZURE_HELP}

${sandboxExample([
  `S=${SANDBOX_PROVIDERS}`,
  `sqlmig migrate cutover ${SANDBOX_CLOUD} --target $S/Microsoft.Sql/managedInstances/sqlmi-sandbox --database Sales --tail-log-taken`,
])}

Exit code: 0 when every migration was cut over (Succeeded, or started with --no-wait), 1 when any
was refused, failed or not confirmed, 2 on usage errors.`,
  options: {
    ...AZURE_OPTIONS,
    ...REF_OPTIONS,
    'tail-log-taken': { type: 'boolean' },
    'no-wait': { type: 'boolean' },
    'accept-not-ready': { type: 'string' },
    'accept-pending': { type: 'string' },
    'accept-blocked': { type: 'string' },
    'force-reason': { type: 'string' },
    concurrency: { type: 'string' },
  },
  async run(values, _p, io) {
    const refs = refsFrom(values);
    if (!refs.length) throw new UsageError('name the migrations: --migration ID, or --target with --database');
    const overrides = overridesOf(values);
    const concurrency = concurrencyOf(values);
    if (!(await tailLogConfirmed(values, io))) {
      io.err('Nothing was done: take the tail-log backup into the backup location first.');
      return EXIT_FAILED;
    }
    const session = await azureSession(values, io);
    const wait = !values['no-wait'];
    const results = await cutoverMany(new DmsClient(session.ctx), refs, {
      overrides,
      location: (m, signal) => readCutoverLocation(session.ctx, m, signal ? { signal } : {}),
      wait,
      concurrency,
      ...signalOf(io),
      onStatus: (ref, status) => {
        if (!values.json && io.isTty) io.err(`\r${ref.targetDatabase}: ${status}   `);
      },
    });
    if (values.json) {
      printJson(io, {
        results: results.map((r) => ({
          migration: migrationIdOf(r.ref),
          database: r.ref.targetDatabase,
          outcome: r.outcome,
          ...(r.status && { status: r.status }),
          forced: r.forced,
          overridden: Object.fromEntries(r.overridden.map((c) => [c, overrides[c]])),
          blockers: r.blockers,
          ...(r.error && { error: r.error }),
        })),
      });
    } else {
      if (io.isTty) io.err('\r\x1b[K');
      for (const r of results) io.out(describeCutover(r, overrides));
    }
    const done = (r: CutoverResult) => r.outcome === 'completed' || (!wait && r.outcome === 'started');
    return results.every(done) ? EXIT_OK : EXIT_FAILED;
  },
};

/** Prints the core's results: the same shape and words as cutover (done, REFUSED with why, FAILED). */
function printResults(values: Values, io: Io, verb: string, results: OperationResult[]): number {
  if (values.json) {
    printJson(io, { results: results.map((r) => ({ migration: migrationIdOf(r.ref), database: r.ref.targetDatabase, outcome: r.outcome === 'done' ? verb : r.outcome, ok: r.outcome === 'done', ...(r.status && { status: r.status }), ...(r.reason && { error: r.reason }) })) });
  } else {
    for (const r of results) io.out(r.outcome === 'done' ? `${verb} ${r.ref.targetDatabase}` : `${r.outcome.toUpperCase()} ${r.ref.targetDatabase}\n  ${r.reason?.replace(/\n/g, '\n  ')}`);
  }
  return results.every((r) => r.outcome === 'done') ? EXIT_OK : EXIT_FAILED;
}

async function dmsFor(values: Values, io: Io): Promise<{ dms: DmsClient; refs: MigrationRef[] }> {
  const refs = refsFrom(values);
  if (!refs.length) throw new UsageError('name the migrations: --migration ID, or --target with --database');
  const session = await azureSession(values, io);
  return { dms: new DmsClient(session.ctx), refs };
}

export const migrateCancel: Command = {
  name: ['migrate', 'cancel'],
  summary: 'Cancel migrations in progress',
  usage: 'sqlmig migrate cancel (--migration ID... | --target MI_ID --database NAME...) [azure options]',
  help: `Cancels each migration's current operation (read fresh, so the right operation id is quoted).
The target database is left unfinished; delete the migration afterwards to start over.

${REF_HELP}

${AZURE_HELP}

${sandboxExample([
  `S=${SANDBOX_PROVIDERS}`,
  `sqlmig migrate cancel ${SANDBOX_CLOUD} --target $S/Microsoft.Sql/managedInstances/sqlmi-sandbox --database Sales`,
])}

Exit code: 0 when every migration was canceled, 1 otherwise, 2 on usage errors.`,
  options: { ...AZURE_OPTIONS, ...REF_OPTIONS, concurrency: { type: 'string' } },
  async run(values, _p, io) {
    const concurrency = concurrencyOf(values);
    const { dms, refs } = await dmsFor(values, io);
    return printResults(values, io, 'canceled', await cancelMany(dms, refs, { concurrency, ...signalOf(io) }));
  },
};

export const migrateDelete: Command = {
  name: ['migrate', 'delete'],
  summary: 'Delete finished, failed or canceled migrations',
  usage: 'sqlmig migrate delete (--migration ID... | --target MI_ID --database NAME...) [--force] [azure options]',
  help: `Deletes the migration resources (not the target databases). A migration still in progress is
refused unless --force is given (the service then stops it).

${REF_HELP}
  --force                delete even a migration in progress

${AZURE_HELP}

${sandboxExample([
  `S=${SANDBOX_PROVIDERS}`,
  `sqlmig migrate delete ${SANDBOX_CLOUD} --target $S/Microsoft.Sql/managedInstances/sqlmi-sandbox --database Sales`,
])}

Exit code: 0 when every migration was deleted, 1 otherwise, 2 on usage errors.`,
  options: { ...AZURE_OPTIONS, ...REF_OPTIONS, force: { type: 'boolean' }, concurrency: { type: 'string' } },
  async run(values, _p, io) {
    const concurrency = concurrencyOf(values);
    const { dms, refs } = await dmsFor(values, io);
    return printResults(values, io, 'deleted', await deleteMany(dms, refs, { concurrency, ...(values.force && { force: true }), ...signalOf(io) }));
  },
};
