/**
 * Starting the wizard's databases through the managed instance's Log Replay Service, on the
 * core as `sqlmig log-replay start` does: one LRS plan per instance and container
 * (validateLrsPlan), every chain checked and the LRS rules vetted for every plan before anything
 * is uploaded or started (a problem anywhere stops the whole start), then each plan run
 * (runLrsPlan) with local chains going up through the editor's watcher. A SAS token (Read and
 * List only, signed with the account key) is made here, handed to the redactor at once, and
 * goes only into the restore requests. No `vscode` here.
 */
import * as l10n from '@vscode/l10n';
import type { ContainerClient } from '@azure/storage-blob';
import type { ChainReport, DatabaseChoice } from '../../core/migration';
import type { LrsPlan } from '../../core/migration/lrsPlan';
import { contextFor } from './azureContext';
import { loadCore } from './loadCore';
import type { UploadJob } from './localUploads';
import { checkTde, instanceOf, planProblems, plannedPerInstance, readTargetInstances, runResults, splitContainer, type StarterDeps } from './starter';
import type { LogReplayRequest, LogReplayStarter, StartedMigration } from './types';

type LrsDatabase = LogReplayRequest['databases'][number];

const containerOf = (d: LrsDatabase) => splitContainer(d.location.container, d.sourceDatabase).container;

export function logReplayStarter(deps: StarterDeps): LogReplayStarter {
  return {
    availability: { available: true },
    async start(account, request, secrets, signal, progress = () => undefined) {
      const core = await loadCore();
      const ctx = contextFor(account);
      progress(l10n.t('Checking the plan'));
      const groups = new Map<string, LrsDatabase[]>();
      for (const d of request.databases) {
        const key = `${instanceOf(request, d).toLowerCase()}|${d.location.storageAccountId}|${containerOf(d)}`;
        groups.set(key, [...(groups.get(key) ?? []), d]);
      }
      const storageIds = [...new Set(request.databases.map((d) => d.location.storageAccountId))];
      const [instance, accounts] = await Promise.all([
        readTargetInstances(core, ctx, request, signal),
        Promise.all(storageIds.map(async (id) => {
          const [info, key] = await Promise.all([core.getStorageAccount(ctx, id, signal), core.getStorageAccountKey(ctx, id, signal)]);
          deps.secret(key);
          if (!info.blobEndpoint) throw new Error(l10n.t('storage account {0} reports no blob endpoint', info.name));
          return { id, name: info.name, blobEndpoint: info.blobEndpoint, key };
        })),
      ]);
      const storage = new Map(accounts.map((a) => [a.id, a]));

      // Every plan checked as a whole first (names, one flat folder per database, the instance's room).
      const problems: string[] = [];
      const plans: { plan: LrsPlan; dbs: LrsDatabase[] }[] = [];
      const onInstance = plannedPerInstance(request);
      for (const dbs of groups.values()) {
        const target = instance.get(instanceOf(request, dbs[0]!).toLowerCase())!;
        const tier = core.tierOfInstance(target.info.tier);
        try {
          const plan = core.validateLrsPlan({
            targetInstanceId: target.id,
            targetLocation: target.info.location,
            collation: target.info.collation ?? 'SQL_Latin1_General_CP1_CI_AS',
            mode: request.mode === 'online' ? 'continuous' : 'autocomplete',
            backup: { kind: dbs[0]!.location.kind, storageAccountId: dbs[0]!.location.storageAccountId, container: containerOf(dbs[0]!) },
            access: request.access,
            databases: dbs.map((d): DatabaseChoice => ({
              source: d.sourceDatabase,
              target: d.targetDatabase,
              folder: splitContainer(d.location.container, d.sourceDatabase).folder,
              ...(d.location.kind === 'upload' && { localFolder: d.location.folder }),
              // Autocomplete from a container may name its last file; an uploaded chain names its own at Start.
              ...(request.mode === 'offline' && d.location.kind === 'blob' && d.lastBackupName && { lastBackupName: d.lastBackupName }),
            })),
            existingTargetDatabases: target.existing.map((e) => e.name),
            ...(tier && { targetTier: tier }),
            // The other plans of this start (other containers) put databases on the same instance too.
            alsoPlannedOnTarget: onInstance.get(target.id.toLowerCase())! - dbs.length,
          });
          plans.push({ plan, dbs });
        } catch (e) {
          if (e instanceof core.PlanError) problems.push(...e.problems);
          else throw e;
        }
      }
      if (problems.length) throw planProblems(problems, deps);

      // Every chain and the LRS rules (recovery model, version, the access, the 30 days), for every plan, before anything goes up.
      progress(l10n.t('Checking the backup chains and the Log Replay Service rules'));
      const ready: { plan: LrsPlan; container: ContainerClient; chains: ChainReport[]; run: Parameters<typeof core.runLrsPlan>[2] }[] = [];
      for (const { plan } of plans) {
        const acct = storage.get(plan.backup.storageAccountId)!;
        const target = instance.get(plan.targetInstanceId.toLowerCase())!;
        const container = core.containerClient({ blobEndpoint: acct.blobEndpoint, accountName: acct.name, accountKey: acct.key }, plan.backup.container);
        let sasToken: string | undefined;
        if (plan.access === 'sas') {
          const expiresOn = new Date(Date.now() + (core.defaultExpectedDays(plan) + 1) * 86_400_000);
          sasToken = core.containerSasWithKey({ blobEndpoint: acct.blobEndpoint, accountName: acct.name, container: plan.backup.container, expiresOn, accountKey: acct.key });
          deps.secret(sasToken);
        }
        const run = {
          container,
          blobEndpoint: acct.blobEndpoint,
          ...(sasToken && { sasToken }),
          instance: { name: target.info.name, ...(target.info.identity && { identity: target.info.identity }) },
          restoringOnInstance: target.existing.filter((d) => d.status.toLowerCase() === 'restoring').length,
          signal,
        };
        const chains = await core.checkPlanChains(plan, { container, signal });
        problems.push(...(await core.vetLrsRun(plan, chains, run, (w) => deps.log.warn(`log replay: ${w}`))), ...core.blockingProblems(chains));
        for (const r of chains) for (const w of r.warnings) deps.log.warn(`log replay: ${r.source}: ${w}`);
        ready.push({ plan, container, chains, run });
      }
      // A TDE database restores only where its certificate is: checked before anything goes up.
      progress(l10n.t('Checking the TDE certificates'));
      const tde = await checkTde(core, { account, request, secrets, signal }, plans.map((p) => p.plan), deps.log);
      problems.push(...tde.problems);
      if (problems.length) throw planProblems(problems, deps);

      const results: StartedMigration[] = [];
      for (const { plan, chains, run: options } of ready) {
        const lrs = new core.LrsClient(ctx, { secrets: [storage.get(plan.backup.storageAccountId)!.key, ...(options.sasToken ? [options.sasToken] : [])] });
        const jobs = new Map<string, UploadJob>();
        const evidence = tde.evidence.get(plan.targetInstanceId.toLowerCase());
        const run = await core.runLrsPlan(lrs, plan, {
          ...options,
          checked: chains,
          ...(evidence && { tde: evidence }),
          // Continuous restores read each new log backup as it arrives: the editor's watcher keeps uploading them.
          upload: async (db) => {
            const job: UploadJob = { migrationId: '', database: db.source, localFolder: db.localFolder!, storageAccountId: plan.backup.storageAccountId, container: plan.backup.container, blobFolder: db.folder!, mode: plan.mode };
            await deps.uploads.upload(account, job, signal, progress);
            jobs.set(db.source, job);
          },
          onEvent: (e) => {
            if (e.type === 'started') progress(e.result.ok ? l10n.t('{0}: restore started', e.result.source) : l10n.t('{0}: not started', e.result.source));
          },
        });
        results.push(...(await runResults(run, plan.planned, jobs, deps, 'log replay')));
      }
      return results;
    },
  };
}
