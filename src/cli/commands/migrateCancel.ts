/** `sqlmig migrate cancel` and `sqlmig migrate delete`: the core's operations, presented. */
import { DmsClient, migrationIdOf, type MigrationRef } from '../../core/azure/dms/client';
import { cancelMany, deleteMany, type OperationResult } from '../../core/migration';
import { AZURE_HELP, AZURE_OPTIONS, azureSession, JsonStream, sandboxExample, SANDBOX_CLOUD, SANDBOX_PROVIDERS } from '../azureArgs';
import { EXIT_FAILED, EXIT_OK, UsageError, type Command, type Io, type Values } from '../command';
import { byDatabase } from './migrateCutover';
import { REF_OPTIONS, REF_HELP, refsFrom, concurrencyOf, signalOf } from './migrationRefs';

/**
 * Runs the core's operation and prints its results in the same shape and words as cutover (done,
 * REFUSED with why, FAILED): JSON line by line as each finishes, text sorted by database at the
 * end (a terminal counts them meanwhile).
 */
async function runAndPrint(values: Values, io: Io, verb: string, total: number, run: (onResult: (r: OperationResult) => void) => Promise<OperationResult[]>): Promise<number> {
  const json = values.json ? new JsonStream(io, '{"results":[') : undefined;
  let finished = 0;
  const results = await run((r) => {
    finished++;
    if (json) json.item({ migration: migrationIdOf(r.ref), database: r.ref.targetDatabase, outcome: r.outcome === 'done' ? verb : r.outcome, ok: r.outcome === 'done', ...(r.status && { status: r.status }), ...(r.reason && { error: r.reason }) });
    else if (io.isTty) io.err(`\r\x1b[K${finished} of ${total} done (${r.ref.targetDatabase}: ${r.outcome === 'done' ? verb : r.outcome})`);
  });
  if (json) json.close(']}');
  else {
    if (io.isTty) io.err('\r\x1b[K');
    for (const r of byDatabase(results)) io.out(r.outcome === 'done' ? `${verb} ${r.ref.targetDatabase}` : `${r.outcome.toUpperCase()} ${r.ref.targetDatabase}\n  ${r.reason?.replace(/\n/g, '\n  ')}`);
  }
  return results.every((r) => r.outcome === 'done') ? EXIT_OK : EXIT_FAILED;
}

const CONCURRENCY_HELP = `  --concurrency N        migrations handled at once (default 4); the requests keep within
                         ARM's limits whatever the number`;

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
${CONCURRENCY_HELP}

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
    return runAndPrint(values, io, 'canceled', refs.length, (onResult) => cancelMany(dms, refs, { concurrency, onResult, ...signalOf(io) }));
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
${CONCURRENCY_HELP}

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
    return runAndPrint(values, io, 'deleted', refs.length, (onResult) => deleteMany(dms, refs, { concurrency, onResult, ...(values.force && { force: true }), ...signalOf(io) }));
  },
};
