/**
 * The Migrations view's data and actions on the core. The feed keeps one MigrationMonitor per
 * signed-in cloud: each refresh is one listMigrations per migration service plus one expanded
 * read per migration whose files are on screen (the monitor stops reading one once it has
 * confirmed it finished). Cutover goes through the core's guard and cutoverMany; cancel and
 * delete read the migration fresh and check the core's predicates first. No `vscode` here.
 */
import * as l10n from '@vscode/l10n';
import type { MigrationRef, MigrationServiceRef } from '../../core/azure/dms/client';
import type { MigrationMonitor } from '../../core/migration/monitor';
import type { OperationResult } from '../../core/migration/operations';
import type { DatabaseMigrationJson } from '../dashboard/dmsShape';
import { ActionableError } from '../errors';
import { listAllSubscriptions } from './azureResources';
import { contextFor } from './azureContext';
import { loadCore, type CoreApi } from './loadCore';
import type { LocalUploads } from './localUploads';
import type { AccountSource, MigrationFeed, MigrationOperations, ServiceRegistry, SignedInAccount } from './types';

export interface FeedDeps {
  accounts: AccountSource;
  registry: ServiceRegistry;
  uploads: LocalUploads;
  log: { info(m: string): void; warn(m: string): void };
}

const asJson = (m: unknown) => m as DatabaseMigrationJson;

interface Watching {
  account: SignedInAccount;
  key: string;
  monitor: MigrationMonitor;
}

export class CoreMigrationFeed implements MigrationFeed {
  readonly availability = { available: true } as const;
  private watching: Watching | undefined;
  /** Services found by listing the subscriptions, once per account (when none is registered). */
  private discovered = new WeakMap<SignedInAccount, string[]>();

  constructor(private readonly deps: FeedDeps) {}

  private async services(core: CoreApi, account: SignedInAccount, signal: AbortSignal): Promise<MigrationServiceRef[]> {
    let ids = this.deps.registry.list(account.cloud);
    if (ids.length === 0) {
      let found = this.discovered.get(account);
      if (!found) {
        const dms = new core.DmsClient(contextFor(account));
        const subs = await listAllSubscriptions(account, signal, (m) => this.deps.log.warn(m));
        const lists = await Promise.all(subs.map((s) => dms.listServicesBySubscription(s.id, { signal })));
        found = lists.flat().flatMap((s) => (s.id ? [s.id] : []));
        this.discovered.set(account, found);
        this.deps.log.info(`migrations: watching ${found.length} migration service(s) found in ${subs.length} subscription(s)`);
      }
      ids = found;
    }
    return ids.map((id) => core.serviceRefFromId(id));
  }

  async list(signal: AbortSignal): Promise<DatabaseMigrationJson[]> {
    const core = await loadCore();
    const account = await this.deps.accounts.current(signal);
    const refs = await this.services(core, account, signal);
    const key = `${account.cloud.armEndpoint}|${refs.map((r) => core.serviceIdOf(r).toLowerCase()).sort().join(',')}`;
    if (this.watching?.account !== account || this.watching.key !== key) {
      this.watching = { account, key, monitor: new core.MigrationMonitor(new core.DmsClient(contextFor(account)), { services: refs }) };
    }
    const monitor = this.watching.monitor;
    let report = await monitor.refresh(signal);
    // Migrations seen for the first time get their files read right away (one more round, only then).
    const fresh = monitor.snapshot().filter((s) => !s.detailed && !s.stale);
    if (fresh.length) {
      for (const s of fresh) monitor.watch(s.id);
      report = await monitor.refresh(signal);
    }
    for (const e of report.errors) this.deps.log.warn(`migrations: ${e.target}: ${e.message}`);
    const snapshot = monitor.snapshot();
    if (report.errors.length && report.errors.length >= report.listCalls && snapshot.every((s) => s.stale)) {
      const first = report.errors[0]!;
      throw Object.assign(new Error(first.message), first.retryAfterMs !== undefined ? { retryAfterMs: first.retryAfterMs } : {});
    }
    await this.deps.uploads.resume(account, (id) => {
      const s = monitor.get(id);
      return s ? !core.isTerminal(s.migration) : undefined;
    });
    return snapshot.map((s) => asJson(s.migration));
  }
}

/** The core's refusal, in its words, as something the user can act on; a failure as it is. */
function throwUnlessDone(r: OperationResult | undefined, what: string): void {
  if (r?.outcome === 'done') return;
  if (r?.outcome === 'refused') throw new ActionableError(`${r.ref.targetDatabase} ${what}: ${r.reason}`, l10n.t('Refresh the Migrations view.'));
  throw new Error(r?.reason ?? l10n.t('the operation did not complete'));
}

function refOf(core: CoreApi, m: DatabaseMigrationJson): MigrationRef {
  return core.migrationRefFromId(m.id);
}

export function migrationOperations(deps: FeedDeps): MigrationOperations {
  const session = async (signal: AbortSignal) => {
    const core = await loadCore();
    const account = await deps.accounts.current(signal);
    const ctx = contextFor(account);
    return { core, ctx, dms: new core.DmsClient(ctx) };
  };
  return {
    availability: { available: true },

    async guardCutover(m, signal) {
      const { core, dms, ctx } = await session(signal);
      const fresh = await dms.getMigration(refOf(core, m), { expand: true, signal });
      const location = await core.readCutoverLocation(ctx, fresh, { signal, inFlight: deps.uploads.inFlight(m.id) });
      const check = core.checkCutover(fresh, { location });
      if (core.onlyNotReady(check)) {
        return {
          migration: asJson(core.withoutSecrets(fresh)),
          notReadyOnly: l10n.t('the service does not say ReadyForCutover yet ({0}), but every backup is restored and none is pending, here or in the backup location: it accepts the cutover now', core.statusOf(fresh)),
        };
      }
      if (!check.allowed) {
        throw new ActionableError(check.blockers.join('; '), l10n.t('Wait until every backup is restored (the tail-log backup too) and the migration is ready for cutover, then retry.'));
      }
      return { migration: asJson(core.withoutSecrets(fresh)) };
    },

    async cutover(m, signal, options = {}) {
      const { core, dms, ctx } = await session(signal);
      const [result] = await core.cutoverMany(dms, [refOf(core, m)], {
        signal,
        location: (fresh, s) => core.readCutoverLocation(ctx, fresh, { ...(s && { signal: s }), inFlight: deps.uploads.inFlight(m.id) }),
        ...(options.acceptNotReady && { overrides: { 'not-ready': options.acceptNotReady } }),
        ...(options.onStatus && { onStatus: (_ref: unknown, status: string) => options.onStatus!(status) }),
      });
      if (result?.outcome === 'refused') throw new ActionableError(result.blockers.join('; '), l10n.t('Wait until the migration is ready for cutover, then retry.'));
      if (result?.outcome === 'started') throw new ActionableError(l10n.t('The cutover was accepted but has not finished: the service says {0}.', result.status ?? ''), l10n.t('Follow it in the Migrations view.'));
      if (result?.outcome !== 'completed') throw new Error(result?.error ?? l10n.t('the cutover did not complete'));
      await deps.uploads.stop(m.id);
    },

    async cancel(m, signal) {
      const { core, dms } = await session(signal);
      const [r] = await core.cancelMany(dms, [refOf(core, m)], { signal });
      throwUnlessDone(r, l10n.t('cannot be canceled now'));
      await deps.uploads.stop(m.id);
    },

    async delete(m, signal) {
      const { core, dms } = await session(signal);
      const [r] = await core.deleteMany(dms, [refOf(core, m)], { signal });
      throwUnlessDone(r, l10n.t('cannot be deleted now'));
      await deps.uploads.stop(m.id);
    },
  };
}
