/** `sqlmig log-replay status`: restores and their backup files; --watch follows them. */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArmId } from '../../core/azure/armId';
import { LrsClient } from '../../core/azure/lrs/client';
import { managedDatabaseIdOf, type InstanceRef, type RestoreRef } from '../../core/azure/lrs/models';
import { mapBounded } from '../../core/backup';
import { isRestore, LrsMonitor, type LrsMonitorEvent } from '../../core/migration/lrsMonitor';
import { readRestore } from '../../core/migration/lrsOperations';
import { lrsRestoreView, type LrsRestoreView } from '../../core/migration/lrsStatus';
import { table } from '../../core/text';
import { AZURE_HELP, AZURE_OPTIONS, azureSession, printJson, str, strs, sandboxExample, SANDBOX_CLOUD, SANDBOX_PROVIDERS } from '../azureArgs';
import { EXIT_FAILED, EXIT_OK, UsageError, type Command, type Io } from '../command';
import { signalOf } from './migrationRefs';
import { describeRestore, RESTORE_HELP, RESTORE_OPTIONS, restoreJson, restoreRefsFrom } from './logReplayRefs';

const clock = () => new Date().toISOString().slice(11, 19);
const ENDED = new Set(['Succeeded', 'Failed']);

function row(v: LrsRestoreView): string[] {
  return [v.ref.targetDatabase, v.sourceDatabase ?? '', v.status, v.mode ?? '', v.lastRestoredFile ?? '', v.problems.length ? `${v.problems.length} problem(s)` : ''];
}

/** Follows restores until every watched one has ended (or Ctrl-C); 0 when all Succeeded. */
async function watch(io: Io, lrs: LrsClient, instances: InstanceRef[], refs: RestoreRef[], intervalMs: number, json: boolean): Promise<number> {
  const ids = refs.map(managedDatabaseIdOf);
  const monitor = new LrsMonitor(lrs, { instances, watched: ids });
  const print = (line: string, event: Record<string, unknown>) => io.out(json ? JSON.stringify({ time: new Date().toISOString(), ...event }) : `${clock()}  ${line}`);
  const files = new Map<string, Map<string, string>>();
  const hinted = new Set<string>();
  const pending: LrsMonitorEvent[] = [];
  monitor.onEvent((e) => pending.push(e));
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  io.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    while (!stop.signal.aborted) {
      const report = await monitor.refresh(stop.signal);
      for (const err of report.errors) io.err(`warning: ${err.target}: ${err.message.split('\n')[0]}`);
      for (const id of ids) {
        const v = monitor.get(id);
        if (!v?.detailed) continue;
        const seen = files.get(id) ?? new Map<string, string>();
        files.set(id, seen);
        for (const f of v.files) {
          const state = f.state === 'Unknown' ? f.rawStatus ?? 'Unknown' : f.state;
          const before = seen.get(f.fileName);
          if (before === state) continue;
          seen.set(f.fileName, state);
          print(`${v.ref.targetDatabase.padEnd(20)}   ${f.fileName}  ${before ? `${before} -> ` : ''}${state}${f.reason ? `: ${f.reason}` : ''}`, { event: 'File', id, file: f.fileName, state, ...(before && { previous: before }), ...(f.reason && { reason: f.reason }) });
        }
      }
      for (const e of pending.splice(0)) {
        if (e.type === 'StatusChanged' && ['ReadyForCutover', 'Succeeded', 'Failed'].includes(e.status)) continue;
        const name = e.view.ref.targetDatabase.padEnd(20);
        print(`${name} ${e.previous ? `${e.previous} -> ` : ''}${e.status}${e.type === 'Removed' ? ' (removed)' : ''}`, { event: e.type, id: e.id, status: e.status, ...(e.previous && { previous: e.previous }) });
        if (e.status === 'Failed' && (e.type === 'Failed' || e.type === 'Added')) for (const p of e.view.problems) print(`${name} ! ${p}`, { event: 'Problem', id: e.id, problem: p });
        const watched = ids.some((id) => id.toLowerCase() === e.id.toLowerCase());
        if (e.status === 'ReadyForCutover' && (e.type === 'ReadyForCutover' || e.type === 'Added') && watched && !json && !hinted.has(e.id)) {
          hinted.add(e.id);
          io.out(`          every backup so far is restored; once the tail-log backup is restored too: sqlmig log-replay complete --restore ${e.id} --tail-log-taken`);
        }
      }
      const done = ids.length > 0 && ids.every((id) => {
        const v = monitor.get(id);
        return !report.errors.length && (!v || (v.detailed && ENDED.has(v.status)) || v.status === 'Succeeded');
      });
      if (done) break;
      await sleep(intervalMs, undefined, { signal: stop.signal });
    }
  } catch (e) {
    if (!stop.signal.aborted) throw e;
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
  }
  if (!ids.length) return EXIT_OK;
  const finals = ids.map((id) => monitor.get(id));
  if (!json) for (const v of finals) if (v) io.out(describeRestore(v));
  return finals.every((v) => v?.status === 'Succeeded') ? EXIT_OK : EXIT_FAILED;
}

export const logReplayStatus: Command = {
  name: ['log-replay', 'status'],
  summary: 'Show Log Replay Service restores and their backup files; --watch follows them',
  usage: 'sqlmig log-replay status (--target MI_ID [--database NAME...] | --restore ID...) [--watch [--interval S]] [azure options]',
  help: `With --target alone, lists every restore on the instance (one call per page of its databases):
databases restoring, and those sqlmig restored. With --database (or --restore), shows each one in
detail: its status (InProgress, ReadyForCutover, Completing, Succeeded, Failed), the restore's
progress and the 30-day limit, the problems the service reports, and every backup file (Arrived,
Restoring, Restored, or Ignored with the reason the Log Replay Service gives: skipped, or
unrestorable).

With --watch, keeps refreshing and prints each change as it happens (a status, each backup file
of a watched restore); it ends when every watched restore has finished (or on Ctrl-C); with
--json it prints one JSON object per change. One list of databases per instance and one
restoreDetails per watched restore each refresh.

${RESTORE_HELP}
  --watch                follow until the watched restores finish
  --interval SECONDS     refresh interval for --watch (default 15)

${AZURE_HELP}

${sandboxExample([
  `S=${SANDBOX_PROVIDERS}`,
  `sqlmig log-replay status ${SANDBOX_CLOUD} --target $S/Microsoft.Sql/managedInstances/sqlmi-sandbox`,
  `sqlmig log-replay status ${SANDBOX_CLOUD} --target $S/Microsoft.Sql/managedInstances/sqlmi-sandbox --database SalesReplay --watch --interval 2`,
])}

Exit code: 0; with --watch, 0 when every watched restore Succeeded, 1 otherwise; 2 on usage errors.`,
  options: { ...AZURE_OPTIONS, ...RESTORE_OPTIONS, watch: { type: 'boolean' }, interval: { type: 'string' } },
  async run(values, _p, io) {
    const refs = restoreRefsFrom(values, false);
    const target = str(values, 'target');
    if (!refs.length && !target) throw new UsageError('name --target (every restore on the instance), or the restores: --restore ID, or --target with --database');
    const session = await azureSession(values, io);
    const lrs = new LrsClient(session.ctx);
    const instances: InstanceRef[] = [];
    const add = (i: InstanceRef) => {
      if (!instances.some((x) => `${x.subscriptionId}/${x.resourceGroup}/${x.managedInstance}`.toLowerCase() === `${i.subscriptionId}/${i.resourceGroup}/${i.managedInstance}`.toLowerCase())) instances.push(i);
    };
    for (const r of refs) add({ subscriptionId: r.subscriptionId, resourceGroup: r.resourceGroup, managedInstance: r.managedInstance });
    if (target && !strs(values, 'database').length) {
      const mi = parseArmId(target);
      add({ subscriptionId: mi.subscriptionId, resourceGroup: mi.resourceGroup, managedInstance: mi.name });
    }
    if (values.watch) {
      const seconds = Number(str(values, 'interval') ?? 15);
      if (!Number.isFinite(seconds) || seconds < 0.05) throw new UsageError('--interval must be a number of seconds');
      return watch(io, lrs, instances, refs, seconds * 1000, Boolean(values.json));
    }
    const listAll = target && !strs(values, 'database').length;
    const listed = listAll
      ? await mapBounded(instances, 4, async (i) => ({ instance: i, restores: (await lrs.listDatabases(i, signalOf(io))).filter(isRestore).map((db) => lrsRestoreView({ ...i, targetDatabase: db.name ?? '' }, db)) }))
      : [];
    const detailed = await mapBounded(refs, 8, async (r) => ({ ref: r, view: await readRestore(lrs, r, signalOf(io)) }));
    if (values.json) {
      printJson(io, {
        instances: listed.map((l) => ({ managedInstance: l.instance.managedInstance, restores: l.restores.map(restoreJson) })),
        restores: detailed.map((d) => (d.view ? restoreJson(d.view) : { database: d.ref.targetDatabase, id: managedDatabaseIdOf(d.ref), status: 'NotFound' })),
      });
      return EXIT_OK;
    }
    for (const l of listed) {
      io.out(`${l.instance.managedInstance}: ${l.restores.length} restore(s)`);
      if (l.restores.length) io.out(table([['Database', 'Source', 'Status', 'Mode', 'Last restored', ''], ...l.restores.map(row)]));
    }
    for (const d of detailed) io.out(d.view ? describeRestore(d.view) : `${d.ref.targetDatabase}: no such database on ${d.ref.managedInstance}`);
    return EXIT_OK;
  },
};
