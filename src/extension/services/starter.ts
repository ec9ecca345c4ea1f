/**
 * Starting the migrations the wizard planned, on the core: the plan is checked as a whole
 * (validatePlan, the backup chains, the TDE certificates) before anything is sent; backups in a local folder are uploaded first (and,
 * online, watched afterwards); then every database starts (startMigrations, bounded), each with
 * its own result. Secrets (the SQL and share passwords, the storage key) go only into the
 * requests and are cut out of any error text. No `vscode` here.
 */
import * as l10n from '@vscode/l10n';
import type { ContainerClient } from '@azure/storage-blob';
import type { AzureContext } from '../../core/azure/context';
import type { BackupSource, DatabaseChoice, MigrationPlan, MigrationPlanInput } from '../../core/migration/plan';
import type { TdeEvidence } from '../../core/migration/tdeCheck';
import type { ServiceTier } from '../../core/sku/miLimits';
import { ActionableError } from '../errors';
import { contextFor } from './azureContext';
import { loadCore, type CoreApi } from './loadCore';
import type { LocalUploads, UploadJob } from './localUploads';
import { readTdeEvidenceFor } from './tdeEvidence';
import type { DatabaseRequest, MigrationRequest, MigrationSecrets, MigrationStarter, ServiceRegistry, SignedInAccount, StartedMigration } from './types';

/** "container" or "container/folder": the folder defaults to the database name (one per database). */
export function splitContainer(value: string, database: string): { container: string; folder: string } {
  const [container = '', folder] = value.split('/');
  return { container, folder: folder || database };
}

/** A database's target instance: its own, or the request's. */
export const instanceOf = (request: { targetInstanceId: string }, d: { targetInstanceId?: string }) => d.targetInstanceId ?? request.targetInstanceId;

/**
 * Each target instance of a request, read once (lower-cased id -> its facts and the databases on
 * it now): both engines' plans need its tier and the names and count already taken.
 */
export async function readTargetInstances(core: CoreApi, ctx: AzureContext, request: { targetInstanceId: string; databases: readonly { targetInstanceId?: string }[] }, signal?: AbortSignal) {
  const ids = [...new Map(request.databases.map((d) => [instanceOf(request, d).toLowerCase(), instanceOf(request, d)])).values()];
  const read = await Promise.all(ids.map(async (id) => {
    const t = core.parseArmId(id);
    const [info, existing] = await Promise.all([
      core.getManagedInstance(ctx, t.subscriptionId, t.resourceGroup, t.name, signal),
      core.listManagedDatabases(ctx, t.subscriptionId, t.resourceGroup, t.name, signal),
    ]);
    return { id, info, existing };
  }));
  return new Map(read.map((i) => [i.id.toLowerCase(), i]));
}

/** How many of the request's databases go to each instance (lower-cased id): a plan counts the others' toward the instance's limit. */
export function plannedPerInstance(request: { targetInstanceId: string; databases: readonly { targetInstanceId?: string }[] }): Map<string, number> {
  const count = new Map<string, number>();
  for (const d of request.databases) count.set(instanceOf(request, d).toLowerCase(), (count.get(instanceOf(request, d).toLowerCase()) ?? 0) + 1);
  return count;
}

/**
 * The TDE check's evidence per target instance (lower-cased id), for the databases going there,
 * and its verdict on each plan: a TDE database whose certificate the instance does not hold (or
 * could not be asked for) is a problem that stops the whole start. The rule is the core's.
 */
export async function checkTde(
  core: CoreApi,
  args: { account: SignedInAccount; request: Pick<MigrationRequest, 'targetInstanceId' | 'source' | 'targetLogin'> & { databases: readonly { sourceDatabase: string; targetInstanceId?: string }[] }; secrets: MigrationSecrets; signal: AbortSignal },
  plans: readonly { targetInstanceId: string; planned: readonly { source: string }[] }[],
  log: StarterDeps['log'],
): Promise<{ evidence: Map<string, TdeEvidence>; problems: string[] }> {
  const { account, request, secrets, signal } = args;
  const byInstance = new Map<string, { id: string; databases: string[] }>();
  for (const d of request.databases) {
    const id = instanceOf(request, d);
    const entry = byInstance.get(id.toLowerCase()) ?? { id, databases: [] };
    entry.databases.push(d.sourceDatabase);
    byInstance.set(id.toLowerCase(), entry);
  }
  const evidence = new Map(await Promise.all([...byInstance].map(async ([key, i]) => [key, await readTdeEvidenceFor(account, request, secrets, i.id, i.databases, signal)] as const)));
  const problems: string[] = [];
  for (const plan of plans) {
    const e = evidence.get(plan.targetInstanceId.toLowerCase());
    if (!e) continue;
    const verdict = core.tdeVerdict(plan.planned.map((d) => d.source), e);
    for (const w of verdict.warnings) log.warn(`start: ${w}`);
    problems.push(...verdict.refused);
  }
  return { evidence, problems };
}

/** One plan per target instance and backup container (or share). */
function groupKey(request: MigrationRequest, d: DatabaseRequest): string {
  const where = d.location.kind === 'share' ? `share|${d.location.storageAccountId}` : `${d.location.kind}|${d.location.storageAccountId}|${splitContainer(d.location.container, d.sourceDatabase).container}`;
  return `${instanceOf(request, d).toLowerCase()}|${where}`;
}

export interface StarterDeps {
  uploads: LocalUploads;
  services: ServiceRegistry;
  secret(value: string): void;
  log: { info(m: string): void; warn(m: string): void };
}

export function migrationStarter(deps: StarterDeps): MigrationStarter {
  return {
    availability: { available: true },
    async start(account, request, secrets, signal, progress = () => undefined) {
      const core = await loadCore();
      const ctx = contextFor(account);
      if (request.source.authentication === 'EntraToken') {
        throw new ActionableError(
          l10n.t('The migration service logs in to the source SQL Server with a SQL or Windows login, not a Microsoft Entra token.'),
          l10n.t('Go back to the source step and connect with a SQL or Windows login.'),
        );
      }
      progress(l10n.t('Checking the plan'));
      // Each target instance: what is on it now (names taken, and its count toward the tier's limit) and its tier.
      const storageIds = [...new Set(request.databases.map((d) => d.location.storageAccountId))];
      const [instances, keys] = await Promise.all([
        readTargetInstances(core, ctx, request, signal),
        Promise.all(storageIds.map((id) => core.getStorageAccountKey(ctx, id, signal))),
      ]);
      keys.forEach((k) => deps.secret(k));
      const keyOf = new Map(storageIds.map((id, i) => [id, keys[i]!]));
      const instance = new Map([...instances].map(([k, i]) => [k, { id: i.id, existing: i.existing.map((e) => e.name), tier: core.tierOfInstance(i.info.tier) }]));
      const onInstance = plannedPerInstance(request);
      const problems = request.blobAuth === 'ManagedIdentity' ? identityProblems(core, request, instances, deps.log) : [];

      // One plan per instance and backup container (or share): the core checks each as a whole,
      // and each instance's count with the databases the other plans put on it.
      const groups = new Map<string, DatabaseRequest[]>();
      for (const d of request.databases) groups.set(groupKey(request, d), [...(groups.get(groupKey(request, d)) ?? []), d]);
      const plans: MigrationPlan[] = [];
      for (const dbs of groups.values()) {
        const target = instance.get(instanceOf(request, dbs[0]!).toLowerCase())!;
        const elsewhere = onInstance.get(target.id.toLowerCase())! - dbs.length;
        for (const input of planInputs(request, secrets, dbs, keyOf.get(dbs[0]!.location.storageAccountId)!, target, elsewhere)) {
          try {
            plans.push(core.validatePlan(input));
          } catch (e) {
            if (e instanceof core.PlanError) problems.push(...e.problems);
            else throw e;
          }
        }
      }
      if (problems.length) throw planProblems(problems, deps);
      for (const p of plans) for (const w of p.warnings) deps.log.warn(`start: ${w}`);

      // Every database's backup chain, as the service will see it, before anything is uploaded or
      // created: a problem in any plan stops the whole start (the core's check and words, as in sqlmig).
      progress(l10n.t('Checking the backup chains'));
      const checked = [];
      for (const plan of plans) {
        let container: ContainerClient | undefined;
        if (plan.backup.kind !== 'share') {
          const info = await core.getStorageAccount(ctx, plan.backup.storageAccountId, signal);
          if (!info.blobEndpoint) throw new Error(l10n.t('storage account {0} reports no blob endpoint', info.name));
          container = core.containerClient({ blobEndpoint: info.blobEndpoint, accountName: info.name, accountKey: plan.backup.accountKey }, plan.backup.container);
        }
        const chains = await core.checkPlanChains(plan, { ...(container && { container }), signal });
        for (const r of chains) for (const w of r.warnings) deps.log.warn(`start: ${r.source}: ${w}`);
        problems.push(...core.blockingProblems(chains));
        checked.push({ plan, container, chains });
      }
      // A TDE database restores only where its certificate is: checked before anything goes up.
      progress(l10n.t('Checking the TDE certificates'));
      const tde = await checkTde(core, { account, request, secrets, signal }, plans, deps.log);
      problems.push(...tde.problems);
      if (problems.length) throw planProblems(problems, deps);

      const results: StartedMigration[] = [];
      const dms = new core.DmsClient(ctx);
      for (const { plan, container, chains } of checked) {
        // Local folders go up through the editor's watcher: an online migration's new log backups
        // follow, and the watch survives a window reload. A database whose upload fails is not started.
        const jobs = new Map<string, UploadJob>();
        const evidence = tde.evidence.get(plan.targetInstanceId.toLowerCase());
        const run = await core.runMigrationPlan(dms, plan, {
          ...(container && { container }),
          checked: chains,
          ...(evidence && { tde: evidence }),
          signal,
          upload: async (db) => {
            const b = plan.backup as Extract<typeof plan.backup, { kind: 'upload' }>;
            const job: UploadJob = { migrationId: '', database: db.source, localFolder: db.localFolder!, storageAccountId: b.storageAccountId, container: b.container, blobFolder: db.folder!, mode: plan.mode };
            await deps.uploads.upload(account, job, signal, progress);
            jobs.set(db.source, job);
          },
          onEvent: (e) => {
            if (e.type === 'started') progress(e.result.ok ? l10n.t('{0}: started', e.result.source) : l10n.t('{0}: not started', e.result.source));
          },
        });
        results.push(...(await runResults(run, plan.planned, jobs, deps, 'start')));
      }
      if (results.some((r) => r.id)) await deps.services.add(account.cloud, request.migrationServiceId);
      return results;
    },
  };
}

/**
 * What one plan's run gave, database by database, for either engine: refused as a whole (only if
 * something changed since the check a moment ago), an upload that failed, or started or not. A
 * started database's local folder stays watched; one that did not start stops being uploaded.
 */
export async function runResults(
  run: { refused?: string[]; uploadFailures: readonly { source: string; target: string; error: string }[]; started: readonly { source: string; target: string; ok: boolean; migrationId: string; error?: string }[] },
  planned: readonly { source: string; target: string }[],
  jobs: ReadonlyMap<string, UploadJob>,
  deps: Pick<StarterDeps, 'uploads' | 'log'>,
  logPrefix: string,
): Promise<StartedMigration[]> {
  if (run.refused) {
    deps.log.warn(`${logPrefix}: not started:\n${run.refused.map((p) => `  - ${p}`).join('\n')}`);
    return planned.map((db) => ({ sourceDatabase: db.source, targetDatabase: db.target, error: run.refused!.join('; ') }));
  }
  const results: StartedMigration[] = run.uploadFailures.map((f) => ({ sourceDatabase: f.source, targetDatabase: f.target, error: f.error }));
  for (const r of run.started) {
    const job = jobs.get(r.source);
    if (job && r.ok) await deps.uploads.attach(job, r.migrationId);
    else if (job) deps.uploads.discard(job);
    results.push({ sourceDatabase: r.source, targetDatabase: r.target, ...(r.ok ? { id: r.migrationId } : { error: r.error ?? l10n.t('the service refused it') }) });
  }
  return results;
}

/** Every problem in the log; the wizard shows the first few and how many more there are. */
export function planProblems(problems: string[], deps: StarterDeps): ActionableError {
  deps.log.warn(`start: nothing was uploaded or started:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  const shown = problems.slice(0, 5);
  const more = problems.length - shown.length;
  return new ActionableError(
    l10n.t('Nothing was uploaded or started: the migration plan has {0} problem(s): {1}', problems.length, shown.join('; ') + (more > 0 ? l10n.t(' (and {0} more: see the Azure SQL Migration log)', more) : '')),
    l10n.t('Fix them in the wizard, then start again.'),
  );
}

/** The core's plan inputs for databases sharing an instance and a backup location: one for a container, one per database for shares. */
function planInputs(
  request: MigrationRequest,
  secrets: MigrationSecrets,
  dbs: DatabaseRequest[],
  accountKey: string,
  target: { id: string; existing: string[]; tier: ServiceTier | undefined },
  elsewhere: number,
): MigrationPlanInput[] {
  const input = (backup: BackupSource, chosen: DatabaseRequest[]): MigrationPlanInput => ({
    source: {
      dataSource: request.source.server,
      authentication: request.source.authentication === 'WindowsAuthentication' ? 'WindowsAuthentication' : 'SqlAuthentication',
      userName: request.source.userName,
      password: secrets.sqlPassword ?? '',
      encryptConnection: request.source.encrypt !== 'optional',
      trustServerCertificate: request.source.trustServerCertificate,
    },
    targetInstanceId: target.id,
    migrationServiceId: request.migrationServiceId,
    mode: request.mode,
    backup,
    databases: chosen.map((d): DatabaseChoice => ({
      source: d.sourceDatabase,
      target: d.targetDatabase,
      ...(d.location.kind !== 'share' && { folder: splitContainer(d.location.container, d.sourceDatabase).folder }),
      ...(d.location.kind === 'upload' && { localFolder: d.location.folder }),
      // A local chain names its own last file at start (checkLocalChains); a name from an earlier check may be stale.
      ...(d.lastBackupName && d.location.kind !== 'upload' && { lastBackupName: d.lastBackupName }),
    })),
    existingTargetDatabases: target.existing,
    ...(target.tier && { targetTier: target.tier }),
    // A share plans each database on its own: the others of the instance count too.
    alsoPlannedOnTarget: elsewhere + (dbs.length - chosen.length),
  });
  return dbs.map((d) => d.location).some((l) => l.kind === 'share')
    ? dbs.map((d) => {
        const l = d.location as Extract<DatabaseRequest['location'], { kind: 'share' }>;
        return input({ kind: 'share', storageAccountId: l.storageAccountId, accountKey, path: l.path, userName: l.userName, password: secrets.sharePassword ?? '' }, [d]);
      })
    : [
        input(
          {
            kind: dbs[0]!.location.kind as 'upload' | 'blob',
            storageAccountId: dbs[0]!.location.storageAccountId,
            accountKey,
            container: splitContainer((dbs[0]!.location as { container: string }).container, dbs[0]!.sourceDatabase).container,
            ...(request.blobAuth && { authType: request.blobAuth }),
          },
          dbs,
        ),
      ];
}

/**
 * Containers read with the instances' managed identity: an instance without one is a problem
 * that stops the whole start (the restore would fail on the service); the role it needs on each
 * storage account cannot be seen from here, so it goes to the log with the command that grants it.
 */
function identityProblems(core: CoreApi, request: MigrationRequest, instances: Awaited<ReturnType<typeof readTargetInstances>>, log: StarterDeps['log']): string[] {
  const problems = new Set<string>();
  const pairs = new Map<string, { instanceKey: string; storageAccountId: string }>();
  for (const d of request.databases) {
    if (d.location.kind === 'share') continue;
    const instanceKey = instanceOf(request, d).toLowerCase();
    pairs.set(`${instanceKey}|${d.location.storageAccountId.toLowerCase()}`, { instanceKey, storageAccountId: d.location.storageAccountId });
  }
  for (const { instanceKey, storageAccountId } of pairs.values()) {
    const access = core.managedIdentityAccess(instances.get(instanceKey)!.info, storageAccountId, l10n.t('or read it with the storage account key (the wizard\'s backups step)'));
    if (access.problem) problems.add(access.problem);
    if (access.warning) log.warn(`start: ${access.warning}`);
  }
  return [...problems];
}
