/** `sqlmig log-replay complete` and `stop`: the guarded completion (the cutover) and stopping restores. */
import { LrsClient } from '../../core/azure/lrs/client';
import { managedDatabaseIdOf } from '../../core/azure/lrs/models';
import type { CutoverOverrides, CutoverResult, OperationResult } from '../../core/migration';
import { readRestoreLocation } from '../../core/migration/cutoverLocation';
import { completeRestores, stopRestores } from '../../core/migration/lrsOperations';
import { AZURE_HELP, AZURE_OPTIONS, azureSession, printJson, str, sandboxExample, SANDBOX_CLOUD, SANDBOX_PROVIDERS } from '../azureArgs';
import { EXIT_FAILED, EXIT_OK, UsageError, type Command, type Io, type Values } from '../command';
import { bulkConcurrencyOf, CUTOVER_GUARD_OPTIONS, guardedProgress, overridesOf, tailLogConfirmed } from './migrateCutover';
import { concurrencyOf, signalOf } from './migrationRefs';
import { RESTORE_HELP, RESTORE_OPTIONS, restoreRefsFrom } from './logReplayRefs';

function describeCompletion(r: CutoverResult, overrides: CutoverOverrides): string {
  const db = r.ref.targetDatabase;
  const why = r.overridden.length ? ` (OVERRIDDEN: ${r.overridden.map((c) => `${c}: ${overrides[c]}`).join('; ')})` : '';
  const head =
    r.outcome === 'completed'
      ? `completed ${db}: Succeeded, the database is online${why}`
      : r.outcome === 'started'
        ? `completion started ${db}: ${r.status ?? 'Completing'}; follow it with sqlmig log-replay status --restore ${managedDatabaseIdOf(r.ref)} --watch${why}`
        : `${r.outcome.toUpperCase()} ${db}`;
  const blockers = r.outcome === 'refused' || r.overridden.length ? r.blockers.map((b) => `  - ${b}`) : [];
  return [head, ...blockers, ...r.warnings.map((w) => `  ! ${w}`), ...(r.error ? [`  ${r.error.replace(/\n/g, '\n  ')}`] : [])].join('\n');
}

function locationOverride(values: Values): { storageAccountId?: string; folder?: string } {
  const account = str(values, 'storage-account-id');
  const folder = str(values, 'container');
  if (Boolean(account) !== Boolean(folder)) throw new UsageError('--storage-account-id and --container go together (the container/folder the restore reads)');
  return { ...(account && { storageAccountId: account }), ...(folder && { folder }) };
}

export const logReplayComplete: Command = {
  name: ['log-replay', 'complete'],
  summary: 'Complete continuous Log Replay Service restores: bring the databases online (the cutover)',
  usage: 'sqlmig log-replay complete (--restore ID... | --target MI_ID --database NAME...) --tail-log-taken [--no-wait] [azure options]',
  help: `Reads each restore fresh and completes it only when it is safe, by the same rules as a
migration's cutover: the full backup restored, every backup the service lists restored (or
skipped), nothing in the blob folder past the last restored file that the service has not picked
up yet (a tail-log backup uploaded a moment ago), no upload still running there, nothing blocking
the restore. A refusal names the file. Then it completes the restore with the name of the last
file restored (the Log Replay Service requires it) and waits until the database is online.

Before the completion: stop the application's writes, take the tail-log backup into the folder,
and confirm with --tail-log-taken (on a terminal sqlmig asks instead).

${RESTORE_HELP}
  --tail-log-taken       writes to the source are stopped and the tail-log backup is in the folder
  --no-wait              return once the service accepted the completion
  --concurrency N        restores completed at once (default: all of them, up to 100 on each
                         instance, so the last database is not down longer for being last)
  --storage-account-id ID --container CONTAINER/FOLDER
                         the folder of a restore sqlmig did not start (otherwise read from its tags)

Each check can be overridden on its own, with the reason (data written after the last restored
backup is LOST):
  --accept-not-ready TEXT  the restore is not ready to complete yet
  --accept-pending TEXT    backups not restored yet, or in the folder and not picked up
  --accept-blocked TEXT    the service reports the restore blocked

${AZURE_HELP}

${sandboxExample([
  `S=${SANDBOX_PROVIDERS}`,
  `sqlmig log-replay complete ${SANDBOX_CLOUD} --target $S/Microsoft.Sql/managedInstances/sqlmi-sandbox --database SalesReplay --tail-log-taken`,
])}

Exit code: 0 when every restore completed (or started, with --no-wait), 1 when any was refused,
failed or not confirmed, 2 on usage errors.`,
  options: {
    ...AZURE_OPTIONS,
    ...RESTORE_OPTIONS,
    ...CUTOVER_GUARD_OPTIONS,
    'storage-account-id': { type: 'string' },
    container: { type: 'string' },
  },
  async run(values, _p, io) {
    const refs = restoreRefsFrom(values);
    if (!refs.length) throw new UsageError('name the restores: --restore ID, or --target with --database');
    const overrides = overridesOf(values);
    const concurrency = bulkConcurrencyOf(values);
    const where = locationOverride(values);
    if (!(await tailLogConfirmed(values, io))) {
      io.err('Nothing was done: take the tail-log backup into the backup folder first.');
      return EXIT_FAILED;
    }
    const session = await azureSession(values, io);
    const wait = !values['no-wait'];
    const output = guardedProgress(values, io, refs.length, overrides, (r) => ({ restore: managedDatabaseIdOf(r.ref) }));
    const results = await completeRestores(new LrsClient(session.ctx), refs, {
      overrides,
      location: (v, signal) => readRestoreLocation(session.ctx, v, { ...where, ...(signal && { signal }) }),
      wait,
      ...(concurrency && { concurrency }),
      ...signalOf(io),
      onResult: output.onResult,
    });
    output.end(results, (r) => describeCompletion(r, overrides));
    return results.every((r) => r.outcome === 'completed' || (!wait && r.outcome === 'started')) ? EXIT_OK : EXIT_FAILED;
  },
};

function printResults(values: Values, io: Io, results: OperationResult[]): number {
  if (values.json) {
    printJson(io, { results: results.map((r) => ({ restore: managedDatabaseIdOf(r.ref), database: r.ref.targetDatabase, outcome: r.outcome === 'done' ? 'stopped' : r.outcome, ok: r.outcome === 'done', ...(r.status && { status: r.status }), ...(r.reason && { error: r.reason }) })) });
  } else {
    for (const r of results) io.out(r.outcome === 'done' ? `stopped ${r.ref.targetDatabase}` : `${r.outcome.toUpperCase()} ${r.ref.targetDatabase}\n  ${r.reason?.replace(/\n/g, '\n  ')}`);
  }
  return results.every((r) => r.outcome === 'done') ? EXIT_OK : EXIT_FAILED;
}

export const logReplayStop: Command = {
  name: ['log-replay', 'stop'],
  summary: 'Stop Log Replay Service restores (the databases being restored are deleted)',
  usage: 'sqlmig log-replay stop (--restore ID... | --target MI_ID --database NAME...) [azure options]',
  help: `Stops each restore, read fresh first: the database being restored is deleted (the backups in
the container are not touched), so the restore can start over. Anything but a restore in progress
is refused: an online database (a completed restore) is never deleted here.

${RESTORE_HELP}
  --concurrency N        restores stopped at once (default 4)

${AZURE_HELP}

${sandboxExample([
  `S=${SANDBOX_PROVIDERS}`,
  `sqlmig log-replay stop ${SANDBOX_CLOUD} --target $S/Microsoft.Sql/managedInstances/sqlmi-sandbox --database SalesReplay`,
])}

Exit code: 0 when every restore was stopped, 1 otherwise, 2 on usage errors.`,
  options: { ...AZURE_OPTIONS, ...RESTORE_OPTIONS, concurrency: { type: 'string' } },
  async run(values, _p, io) {
    const refs = restoreRefsFrom(values);
    if (!refs.length) throw new UsageError('name the restores: --restore ID, or --target with --database');
    const concurrency = concurrencyOf(values);
    const session = await azureSession(values, io);
    return printResults(values, io, await stopRestores(new LrsClient(session.ctx), refs, { concurrency, ...signalOf(io) }));
  },
};
