/**
 * `sqlmig migrate status --watch`: follows migrations as they run and prints each change as it
 * happens: a migration's status, each backup file of a watched migration moving through
 * Arrived, Uploading, Uploaded, Restoring, Restored (or Ignored, with the reason), and, for
 * network-share migrations, the integration runtime going offline or coming back. One
 * listMigrations per service (per page) and one expanded GET per watched migration each
 * refresh, within the core monitor's read budget; one more GET per service only while a
 * network-share migration is watched.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { migrationIdOf, serviceRefFromId, type DmsClient, type MigrationRef, type MigrationServiceRef } from '../../core/azure/dms/client';
import type { DatabaseMigrationSqlMi } from '../../core/azure/dms/models';
import type { RequestBudget } from '../../core/azure/requestBudget';
import { backupFiles, isTerminal, migrationProblems, MigrationMonitor, statusOf, usesNetworkShare, type MigrationSnapshot, type MonitorEvent } from '../../core/migration';
import { EXIT_FAILED, EXIT_OK, type Io } from '../command';

export interface WatchOptions {
  services: MigrationServiceRef[];
  refs: MigrationRef[];
  intervalMs: number;
  json: boolean;
  /** Prints a migration's full state (after it ends). */
  describe: (m: DatabaseMigrationSqlMi) => string;
  /** ARM's request limits (the client's pipeline follows them too): detail reads per refresh stay within them. */
  budget?: RequestBudget;
}

const clock = () => new Date().toISOString().slice(11, 19);

/** Events by target database name (numbers in numeric order), then id; stable for one migration's events. */
function byName(events: MonitorEvent[]): MonitorEvent[] {
  const name = (e: MonitorEvent) => e.snapshot.migration.name ?? e.id;
  return [...events].sort((a, b) => name(a).localeCompare(name(b), undefined, { numeric: true }) || a.id.localeCompare(b.id));
}

/** Watches until every watched migration has ended (or the signal aborts); 0 when all Succeeded. */
export async function watchMigrations(io: Io, dms: DmsClient, o: WatchOptions): Promise<number> {
  const ids = o.refs.map(migrationIdOf);
  const monitor = new MigrationMonitor(dms, { services: o.services, watched: ids, intervalMs: o.intervalMs, ...(o.budget && { budget: o.budget }) });
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  io.signal?.addEventListener('abort', onAbort, { once: true });
  const print = (line: string, event: Record<string, unknown>) => io.out(o.json ? JSON.stringify({ time: new Date().toISOString(), ...event }) : `${clock()}  ${line}`);
  const fileStates = new Map<string, Map<string, string>>();
  const runtimeStates = new Map<string, string>();
  const hinted = new Set<string>();

  // Within a refresh: the new migrations' lines, then their files' changes, then status
  // changes, each kind by name (a service's first list brings a thousand at once).
  const added: MonitorEvent[] = [];
  const pending: MonitorEvent[] = [];
  monitor.onEvent((e) => (e.type === 'Added' ? added : pending).push(e));
  const printEvent = (e: MonitorEvent) => {
    const name = (e.snapshot.migration.name ?? e.id).padEnd(20);
    // A significant status comes twice (StatusChanged, then its own event): print it once.
    if (e.type === 'StatusChanged' && ['ReadyForCutover', 'Succeeded', 'Failed'].includes(e.status)) return;
    const change = `${e.previous ? `${e.previous} -> ` : ''}${e.status}${e.type === 'Removed' ? ' (removed)' : ''}`;
    print(`${name} ${change}`, { event: e.type, id: e.id, status: e.status, ...(e.previous && { previous: e.previous }) });
    // Why it failed, whether it failed now or before the watch began.
    if (e.status === 'Failed' && (e.type === 'Failed' || e.type === 'Added')) {
      for (const p of migrationProblems(e.snapshot.migration)) print(`${name} ! ${p}`, { event: 'Problem', id: e.id, problem: p });
    }
    const watchedHere = ids.some((id) => id.toLowerCase() === e.id.toLowerCase());
    if (e.type === 'ReadyForCutover' && watchedHere && !o.json && !hinted.has(e.id)) {
      hinted.add(e.id);
      io.out(`          every backup so far is restored; once the tail-log backup is restored too: sqlmig migrate cutover --migration ${e.id} --tail-log-taken`);
    }
  };

  const showFiles = (snap: MigrationSnapshot) => {
    if (!snap.detailed) return;
    const name = (snap.migration.name ?? snap.id).padEnd(20);
    const seen = fileStates.get(snap.id) ?? new Map<string, string>();
    fileStates.set(snap.id, seen);
    for (const f of backupFiles(snap.migration)) {
      const state = f.state === 'Unknown' ? f.rawStatus ?? 'Unknown' : f.state;
      const before = seen.get(f.fileName);
      if (before === state) continue;
      seen.set(f.fileName, state);
      const why = f.state === 'Ignored' && f.reason ? `: ${f.reason}` : '';
      print(`${name}   ${f.fileName}  ${before ? `${before} -> ` : ''}${state}${why}`, {
        event: 'File',
        id: snap.id,
        file: f.fileName,
        state,
        ...(before && { previous: before }),
        ...(f.reason && { reason: f.reason }),
      });
    }
  };

  /** Network-share migrations need the service's runtime: say when it is not online. */
  const checkRuntimes = async (watchedSnaps: MigrationSnapshot[]) => {
    const services = new Set(watchedSnaps.filter((s) => !isTerminal(s.migration) && usesNetworkShare(s.migration) && s.serviceId).map((s) => s.serviceId!));
    for (const serviceId of services) {
      let state: string;
      try {
        state = (await dms.getService(serviceRefFromId(serviceId), { signal: stop.signal })).properties?.integrationRuntimeState ?? 'Unknown';
      } catch (e) {
        if (stop.signal.aborted) return;
        io.err(`warning: ${(e as Error).message.split('\n')[0]}`);
        continue;
      }
      const before = runtimeStates.get(serviceId) ?? 'Online';
      runtimeStates.set(serviceId, state);
      if (state === before) continue;
      const name = serviceRefFromId(serviceId).name;
      print(
        state === 'Online'
          ? `${name}: the integration runtime is online again`
          : `${name}: the integration runtime is ${state}: backups on the network share are not uploaded until it is online (sqlmig dms show --service ${serviceId})`,
        { event: 'IntegrationRuntime', service: serviceId, state, previous: before },
      );
    }
  };

  try {
    while (!stop.signal.aborted) {
      const report = await monitor.refresh(stop.signal);
      for (const err of report.errors) io.err(`warning: ${err.message.split('\n')[0]} (next try in ${Math.max(1, Math.round(report.nextDelayMs / 1000))} s)`);
      for (const e of byName(added.splice(0))) printEvent(e);
      const watched = ids.map((id) => monitor.get(id)).filter((s): s is MigrationSnapshot => Boolean(s));
      for (const s of watched) if (!s.stale) showFiles(s);
      for (const e of byName(pending.splice(0))) printEvent(e);
      await checkRuntimes(watched);
      if (ids.length && ids.every((id) => {
        const s = monitor.get(id);
        return s && !s.stale && s.detailed && isTerminal(s.migration);
      })) break;
      await sleep(report.nextDelayMs, undefined, { signal: stop.signal });
    }
  } catch (e) {
    if (!stop.signal.aborted) throw e;
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
  }
  if (!ids.length) return EXIT_OK;
  const finals = ids.map((id) => monitor.get(id));
  if (!o.json) for (const s of finals) if (s?.detailed) io.out(o.describe(s.migration as DatabaseMigrationSqlMi));
  return finals.every((s) => s && statusOf(s.migration) === 'Succeeded') ? EXIT_OK : EXIT_FAILED;
}
