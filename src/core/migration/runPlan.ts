/**
 * Running a migration plan, the one way both faces do it: check every database's backup chain
 * as the service will see it (nothing happens while a problem stands that was not accepted),
 * name each offline migration's last file from its chain, upload the local chains a few
 * databases at a time, then start the migrations. A database whose upload fails is not started;
 * the others go on. The faces only present the events and the result.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { mapBounded } from '../backup/scan';
import type { DmsClient } from '../azure/dms/client';
import { ensureContainer, uploadChainFiles, type UploadEvent } from '../upload/databaseUpload';
import { blockingProblems, checkBlobChains, checkLocalChains, type Acceptance, type ChainPlan, type ChainReport } from './chainCheck';
import type { BackupSource, MigrationPlan, PlannedDatabase } from './plan';
import { startMigrations, type StartResult } from './start';
import { tdeVerdict, type TdeEvidence } from './tdeCheck';

/** What running a plan needs of it, whichever engine starts the databases (DMS or the Log Replay Service). */
export type RunnablePlan = ChainPlan & { backup: { kind: BackupSource['kind'] } };

export type PlanRunEvent =
  | { type: 'checked'; chains: ChainReport[] }
  /** What the TDE check could not see, or a TDE problem started despite with a reason. */
  | { type: 'tde-warning'; message: string }
  | { type: 'upload'; database: string; event: UploadEvent }
  | { type: 'uploaded'; database: string; chain: ChainReport; files: number }
  | { type: 'upload-failed'; database: string; error: string }
  | { type: 'started'; result: StartResult };

export interface PlanRunOptions {
  /** The blob container of a blob or upload plan (with the key to read and write it). */
  container?: ContainerClient;
  /** Problems to start despite, with the reason. */
  accept?: Acceptance;
  /**
   * The source's TDE databases and the target's certificates (tdeCheck.ts): a TDE database
   * whose certificate is not on the instance is refused. Absent: no TDE check.
   */
  tde?: TdeEvidence;
  /** Upload plans: plan from the newest full even where a folder holds a chain already. */
  newBase?: boolean;
  /** The chains as checkPlanChains found them just before (several plans checked together). */
  checked?: ChainReport[];
  /** Databases uploaded and started at once (default 4). */
  concurrency?: number;
  signal?: AbortSignal;
  pollIntervalMs?: number;
  /**
   * How a database's checked chain goes up. By default its files are uploaded once; the editor
   * hands it to its watcher, which keeps uploading new log backups of an online migration.
   */
  upload?: (db: PlannedDatabase, chain: ChainReport, container: ContainerClient, signal?: AbortSignal) => Promise<void>;
  onEvent?: (e: PlanRunEvent) => void;
}

export interface PlanRun {
  /** Set when nothing was uploaded or started: every problem, one per line. */
  refused?: string[];
  chains: ChainReport[];
  /** One per database that was started or tried (not those whose upload failed). */
  started: StartResult[];
  uploadFailures: { source: string; target: string; error: string }[];
}

/** Every database's backup chain of a plan, as the service will see it; reads, never writes. */
export function checkPlanChains(plan: RunnablePlan, options: Pick<PlanRunOptions, 'container' | 'newBase' | 'signal' | 'concurrency'>): Promise<ChainReport[]> {
  const { container, signal } = options;
  const kind = plan.backup.kind;
  if ((kind === 'upload' || kind === 'blob') && !container) throw new Error(`a ${kind} plan needs its blob container`);
  const o = { ...(options.newBase && { newBase: true }), ...(signal && { signal }), ...(options.concurrency && { concurrency: options.concurrency }) };
  return kind === 'upload' ? checkLocalChains(container!, plan, o) : kind === 'blob' ? checkBlobChains(container!, plan, o) : Promise.resolve([]);
}

export function runMigrationPlan(dms: Pick<DmsClient, 'createMigration'>, plan: MigrationPlan, options: PlanRunOptions = {}): Promise<PlanRun> {
  return runPlanWith(
    plan,
    (planned, onResult) =>
      startMigrations(dms, { ...plan, planned }, {
        ...(options.concurrency && { concurrency: options.concurrency }),
        ...(options.signal && { signal: options.signal }),
        ...(options.pollIntervalMs !== undefined && { pollIntervalMs: options.pollIntervalMs }),
        onResult,
      }),
    options,
  );
}

export interface EnginePlanRunOptions extends PlanRunOptions {
  /**
   * An engine's own rules over the checked chains (the Log Replay Service's): it adds to each
   * report's refusal and warnings before anything is decided, and returns the problems of the
   * plan as a whole (its access to the container, the instance).
   */
  vet?: (chains: ChainReport[]) => string[] | void | Promise<string[] | void>;
}

/**
 * The one way to run a plan: check every chain (and the engine's rules), refuse while a problem
 * stands, upload local chains, then hand the databases whose upload worked to `start`.
 */
export async function runPlanWith(
  plan: RunnablePlan,
  start: (planned: PlannedDatabase[], onResult: (result: StartResult) => void) => Promise<StartResult[]>,
  options: EnginePlanRunOptions = {},
): Promise<PlanRun> {
  const { container, signal } = options;
  const emit = (e: PlanRunEvent) => options.onEvent?.(e);
  const kind = plan.backup.kind;
  const chains = options.checked ?? (await checkPlanChains(plan, options));
  const planProblems = (await options.vet?.(chains)) ?? [];
  const tde = options.tde ? tdeVerdict(plan.planned.map((d) => d.source), options.tde, options.accept?.codes) : undefined;
  emit({ type: 'checked', chains });
  for (const message of tde?.warnings ?? []) emit({ type: 'tde-warning', message });
  const refused = [...planProblems, ...(tde?.refused ?? []), ...blockingProblems(chains, options.accept)];
  if (refused.length) return { refused, chains, started: [], uploadFailures: [] };

  // An offline migration ends on its chain's last file, as checked just now.
  const chainOf = new Map(chains.map((c) => [c.source, c]));
  let planned = plan.planned.map((db) => {
    const last = chainOf.get(db.source)?.lastBackupName;
    return plan.mode === 'offline' && last ? { ...db, lastBackupName: last } : db;
  });

  const uploadFailures: PlanRun['uploadFailures'] = [];
  if (kind === 'upload') {
    const failed = new Set<string>();
    await mapBounded(
      planned,
      options.concurrency ?? 4,
      async (db) => {
        const chain = chainOf.get(db.source)!;
        try {
          if (options.upload) await options.upload(db, chain, container!, signal);
          else {
            await ensureContainer(container!, signal);
            const pre = chain.preflight!;
            await uploadChainFiles(container!, chain.folder, pre, pre.files, { ...(signal && { signal }), onEvent: (event) => emit({ type: 'upload', database: db.source, event }) });
          }
          emit({ type: 'uploaded', database: db.source, chain, files: chain.preflight?.files.length ?? 0 });
        } catch (e) {
          if ((e as Error).name === 'AbortError' || signal?.aborted) throw e;
          failed.add(db.source);
          const error = `the upload failed, so the migration was not started: ${(e as Error).message}`;
          uploadFailures.push({ source: db.source, target: db.target, error });
          emit({ type: 'upload-failed', database: db.source, error });
        }
      },
      signal,
    );
    planned = planned.filter((db) => !failed.has(db.source));
  }

  const started = planned.length ? await start(planned, (result) => emit({ type: 'started', result })) : [];
  return { chains, started, uploadFailures };
}
