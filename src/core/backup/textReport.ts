/** The human-readable form of a scan: a table per database, then what is left out and why. */
import { displayPath, table } from '../text';
import { formatLsn } from './lsn';
import { formatIsoWithOffset } from './mtfDate';
import type { DatabasePlan } from './planner';
import type { BackupReading } from './types';

const TYPE_LABEL: Record<string, string> = {
  Database: 'Full',
  DifferentialDatabase: 'Differential',
  TransactionLog: 'Log',
};

export function formatScan(readings: readonly BackupReading[], plans: readonly DatabasePlan[], cwd: string): string {
  const show = (p: string) => displayPath(p, cwd);
  const blocks: string[] = [];
  const counts = new Map<string, number>();
  for (const r of readings) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
  const compressed = readings.filter((r) => r.compressed && r.header).length;
  blocks.push(
    `Scanned ${readings.length} file${readings.length === 1 ? '' : 's'}: ` +
      [...counts].map(([v, n]) => `${n} ${v}`).join(', ') +
      (compressed ? ` (${compressed} compressed)` : ''),
  );

  for (const p of plans) {
    const date = (d: Date | undefined) => (d ? formatIsoWithOffset(d, p.utcOffsetMinutes).replace('T', ' ') : '');
    const head = `${p.name}${p.serverName ? ` on ${p.serverName}` : ''}${p.recoveryModel ? `, ${p.recoveryModel} recovery` : ''}`;
    const lines = [`${head}: ${p.ready ? 'READY' : 'NOT READY'}`];
    if (p.plan.length) {
      lines.push(
        table([
          ['#', 'Type', 'First LSN', 'Last LSN', 'Finished', 'File'],
          ...p.plan.map((s, i) => [
            String(i + 1),
            (TYPE_LABEL[s.backupType] ?? s.backupType) + (s.empty ? ' (empty)' : '') + (s.compressed ? ' (compressed)' : ''),
            formatLsn(s.firstLsn),
            formatLsn(s.lastLsn),
            date(s.backupFinishDate ?? s.backupStartDate),
            s.files.map(show).join(', '),
          ]),
        ]),
      );
      if (p.restoresTo) {
        lines.push(`  Restores to LSN ${formatLsn(p.restoresTo.lsn)}${p.restoresTo.date ? `, ${date(p.restoresTo.date)}` : ''}` +
          (p.restoresTo.stopAt ? ` (stop at ${date(p.restoresTo.stopAt)})` : ''));
      }
    }
    for (const problem of p.problems) lines.push(`  Problem: ${problem}`);
    for (const warning of p.warnings) lines.push(`  Warning: ${warning}`);
    if (p.ignored.length) {
      lines.push('  Not used:');
      lines.push(table(p.ignored.map((i) => [show(i.path), i.reason]), '    '));
    }
    blocks.push(lines.join('\n'));
  }

  const inPlans = new Set(plans.flatMap((p) => [...p.plan.flatMap((s) => s.files), ...p.ignored.map((i) => i.path)]));
  const elsewhere = readings.filter((r) => !inPlans.has(r.path) && !r.header);
  if (elsewhere.length) {
    blocks.push(['Other files:', table(elsewhere.map((r) => [show(r.path), r.reason ?? r.verdict]))].join('\n'));
  }
  if (plans.length === 0) blocks.push('No backup of any database was found.');
  return blocks.join('\n\n');
}
