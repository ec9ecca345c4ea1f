/** `sqlmig migrate cutover`: the guarded cutover, followed until the service says Succeeded. */
import { DmsClient, migrationIdOf } from '../../core/azure/dms/client';
import { cutoverMany, readCutoverLocation, type CutoverOverride, type CutoverOverrides, type CutoverResult } from '../../core/migration';
import { AZURE_HELP, AZURE_OPTIONS, azureSession, JsonStream, str, sandboxExample, SANDBOX_CLOUD, SANDBOX_PROVIDERS } from '../azureArgs';
import { EXIT_FAILED, EXIT_OK, UsageError, type Command, type Io, type Values } from '../command';
import { REF_OPTIONS, REF_HELP, refsFrom, concurrencyOf, signalOf } from './migrationRefs';

const OVERRIDE_OPTIONS: Record<string, CutoverOverride> = {
  'accept-not-ready': 'not-ready',
  'accept-pending': 'pending-backups',
  'accept-blocked': 'restore-blocked',
};

/** The options of a guarded cutover, whichever engine completes it. */
export const CUTOVER_GUARD_OPTIONS = {
  'tail-log-taken': { type: 'boolean' },
  'no-wait': { type: 'boolean' },
  'accept-not-ready': { type: 'string' },
  'accept-pending': { type: 'string' },
  'accept-blocked': { type: 'string' },
  concurrency: { type: 'string' },
} as const;

/** --concurrency when given; otherwise the core's default (all at once, within what an instance runs at once). */
export const bulkConcurrencyOf = (values: Values) => (values.concurrency === undefined ? undefined : concurrencyOf(values));

export function overridesOf(values: Values): CutoverOverrides {
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
export async function tailLogConfirmed(values: Values, io: Io): Promise<boolean> {
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
  const warnings = r.warnings.map((w) => `  ! ${w}`);
  return [head, ...blockers, ...warnings, ...(r.error ? [`  ${r.error.replace(/\n/g, '\n  ')}`] : [])].join('\n');
}

/** A guarded cutover's result in --json (the engine's id goes first). */
function guardedResultJson(r: CutoverResult, overrides: CutoverOverrides) {
  return {
    database: r.ref.targetDatabase,
    outcome: r.outcome,
    ...(r.status && { status: r.status }),
    forced: r.forced,
    overridden: Object.fromEntries(r.overridden.map((c) => [c, overrides[c]])),
    blockers: r.blockers,
    warnings: r.warnings,
    ...(r.error && { error: r.error }),
  };
}

/**
 * A bulk guarded cutover's output, for either engine: each result as it comes (the JSON document
 * grows line by line, a terminal shows the count), then, as text, every result by name.
 */
export function guardedProgress(values: Values, io: Io, total: number, overrides: CutoverOverrides, idOf: (r: CutoverResult) => Record<string, string>) {
  const json = values.json ? new JsonStream(io, '{"results":[') : undefined;
  let finished = 0;
  return {
    onResult: (r: CutoverResult) => {
      finished++;
      if (json) json.item({ ...idOf(r), ...guardedResultJson(r, overrides) });
      else if (io.isTty) io.err(`\r\x1b[K${finished} of ${total} done (${r.ref.targetDatabase}: ${r.outcome})`);
    },
    end: (results: CutoverResult[], describe: (r: CutoverResult) => string) => {
      if (json) return json.close(']}');
      if (io.isTty) io.err('\r\x1b[K');
      for (const r of byDatabase(results)) io.out(describe(r));
    },
  };
}

/** Results by target database name, then instance: a long list is read by name. */
export function byDatabase<T extends { ref: { targetDatabase: string; managedInstance: string } }>(results: T[]): T[] {
  return [...results].sort((a, b) => a.ref.targetDatabase.localeCompare(b.ref.targetDatabase, undefined, { numeric: true }) || a.ref.managedInstance.localeCompare(b.ref.managedInstance));
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
  --concurrency N        migrations cut over at once (default: all of them, up to 100 on each
                         instance, so the last database is not down longer for being last)

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
    ...CUTOVER_GUARD_OPTIONS,
    'force-reason': { type: 'string' },
  },
  async run(values, _p, io) {
    const refs = refsFrom(values);
    if (!refs.length) throw new UsageError('name the migrations: --migration ID, or --target with --database');
    const overrides = overridesOf(values);
    const concurrency = bulkConcurrencyOf(values);
    if (!(await tailLogConfirmed(values, io))) {
      io.err('Nothing was done: take the tail-log backup into the backup location first.');
      return EXIT_FAILED;
    }
    const session = await azureSession(values, io);
    const wait = !values['no-wait'];
    const output = guardedProgress(values, io, refs.length, overrides, (r) => ({ migration: migrationIdOf(r.ref) }));
    const results = await cutoverMany(new DmsClient(session.ctx), refs, {
      overrides,
      location: (m, signal) => readCutoverLocation(session.ctx, m, signal ? { signal } : {}),
      wait,
      ...(concurrency && { concurrency }),
      ...signalOf(io),
      onResult: output.onResult,
    });
    output.end(results, (r) => describeCutover(r, overrides));
    const done = (r: CutoverResult) => r.outcome === 'completed' || (!wait && r.outcome === 'started');
    return results.every(done) ? EXIT_OK : EXIT_FAILED;
  },
};
