/** `sqlmig migrate status`: migrations and their backup files; --watch follows them. */
import { DmsClient, serviceIdOf, serviceRefFromId } from '../../core/azure/dms/client';
import type { DatabaseMigration, DatabaseMigrationSqlMi } from '../../core/azure/dms/models';
import { mapBounded } from '../../core/backup';
import { backupFiles, migrationProblems, statusOf, withoutSecrets } from '../../core/migration';
import { bulkSignal } from '../../core/migration/bulkSignal';
import { table } from '../../core/text';
import { AZURE_HELP, AZURE_OPTIONS, azureSession, JsonStream, str, strs, type AzureSession, sandboxExample, SANDBOX_CLOUD, SANDBOX_PROVIDERS } from '../azureArgs';
import { EXIT_OK, UsageError, type Command } from '../command';
import { watchMigrations } from './migrateWatch';
import { REF_OPTIONS, REF_HELP, refsFrom, signalOf } from './migrationRefs';

/** By target database name (then the instance), as people look for a database. */
function sortedByName<T extends DatabaseMigration | DatabaseMigrationSqlMi>(list: T[]): T[] {
  const key = (m: T) => [m.name ?? '', m.id ?? ''] as const;
  return [...list].sort((a, b) => key(a)[0].localeCompare(key(b)[0], undefined, { numeric: true }) || key(a)[1].localeCompare(key(b)[1]));
}

/** Detail reads at once for --migration (the session's budget paces them further). */
const READS_AT_ONCE = 8;

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
  help: `With --service, lists every migration of the service (one call per page of the list, however
many there are), sorted by target database name. With --migration (or --target/--database),
shows each one in detail: status,
restore progress, the problems the service reports, and every backup file (Arrived,
Uploading, Uploaded, Restoring, Restored, or Ignored with the reason).

With --watch, keeps refreshing (backing off when Azure throttles) and prints each change as it
happens: a migration's status (ReadyForCutover, Succeeded, Failed with the service's reason...),
each backup file of a watched migration (--migration) moving from Arrived to Restored, and, for
network-share migrations, the integration runtime going offline. It ends when every watched
migration has finished (or on Ctrl-C); with --json it prints one JSON object per change.

Every command keeps within Azure Resource Manager's request limits (reads: 250 per subscription
and principal, refilling 25 per second): it slows down before the service would throttle and
leaves a fifth of them for your other tools; --watch reads details only for the migrations it
watches, within a budget per refresh. --json prints the document as it is read (one migration
per line), so a long list can be followed as it comes.

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
      return watchMigrations(io, dms, { services, refs, intervalMs: seconds * 1000, json: Boolean(values.json), describe: describeDetailed, ...(session.ctx.budget && { budget: session.ctx.budget }) });
    }
    const json = values.json ? new JsonStream(io, '{"services":[') : undefined;
    // Each service as soon as its list is in: the JSON item by item as pages arrive, the table sorted by name.
    for (const [i, service] of services.entries()) {
      let seen = 0;
      if (json) {
        if (i > 0) io.out(',');
        json.next(`{"id":${JSON.stringify(serviceIdOf(service))},"migrations":[`);
      }
      const list = await dms.listMigrations(service, {
        ...signalOf(io),
        onPage: (page) => {
          seen += page.length;
          if (json) for (const m of page) json.item({ id: m.id, name: m.name, status: statusOf(m), properties: withoutSecrets(m).properties });
          else if (io.isTty) io.err(`\r${service.name}: ${seen} migration(s) listed...`);
        },
      });
      if (json) {
        io.out(']}');
        continue;
      }
      if (io.isTty) io.err('\r\x1b[K');
      io.out(`${service.name}: ${list.length} migration(s)`);
      if (list.length) io.out(table([['Target', 'Source', 'Status', 'Mode', 'Started', ''], ...sortedByName(list).map(row)]));
    }
    if (json) json.next('],"migrations":[');
    // Named migrations: each read once (within the budget). JSON as each arrives; text in the
    // order given, each as soon as those before it are in.
    const detailed: (DatabaseMigrationSqlMi | undefined)[] = refs.map(() => undefined);
    let printed = 0;
    const bulk = bulkSignal(io.signal, READS_AT_ONCE);
    try {
      await mapBounded(refs, READS_AT_ONCE, async (r, i) => {
        const m = await dms.getMigration(r, { expand: true, signal: bulk.signal });
        if (json) return json.item({ id: m.id, name: m.name, status: statusOf(m), problems: migrationProblems(m), files: backupFiles(m), properties: withoutSecrets(m).properties });
        detailed[i] = m;
        for (; printed < refs.length && detailed[printed]; printed++) io.out(describeDetailed(detailed[printed]!));
      }, bulk.signal);
    } finally {
      bulk.done();
    }
    json?.close(']}');
    return EXIT_OK;
  },
};
