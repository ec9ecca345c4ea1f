/** The assessment as text for a terminal: a line per database, then what to fix. */
import { table } from '../text';
import type { AssessmentReport, ReportFinding } from './report';

const MARK: Record<string, string> = { blocker: 'BLOCKER', issue: 'ISSUE', warning: 'warning' };

function findingLines(f: ReportFinding, indent: string): string[] {
  const lines = [`${indent}${MARK[f.category]}  ${f.ruleId}: ${f.message}`];
  const shown = f.objects.slice(0, 8);
  for (const o of shown) lines.push(`${indent}    ${o.type} ${o.name}${o.detail ? `  (${o.detail})` : ''}`);
  if (f.objects.length > shown.length) lines.push(`${indent}    ... and ${f.objects.length - shown.length} more`);
  lines.push(`${indent}    Fix: ${f.recommendation}`);
  return lines;
}

export function formatReport(report: AssessmentReport): string {
  const s = report.summary;
  const out: string[] = [
    `${report.server.name} (${report.server.productName} ${report.server.productVersion}, ${report.server.edition})`,
    `Target: Azure SQL Managed Instance, ${report.target.tierName}, ${report.target.mode} migration (limits ${report.target.limitsVersion})`,
    `${s.databases} databases: ${s.ready} ready, ${s.issues} with issues, ${s.blocked} blocked ` +
      `(${s.blockers} blockers, ${s.issueCount} issues, ${s.warnings} warnings; ${report.roundTrips} queries in ${(report.durationMs / 1000).toFixed(1)} s)`,
    '',
  ];
  if (report.databases.length) {
    const rows = [['Database', 'Readiness', 'Size (MB)', 'Recovery', 'Compat', 'Blockers', 'Issues', 'Warnings']];
    for (const d of report.databases) {
      rows.push([d.name, d.readiness.toUpperCase(), d.sizeMb.toFixed(0), d.recoveryModel, String(d.compatibilityLevel), String(d.counts.blocker), String(d.counts.issue), String(d.counts.warning)]);
    }
    out.push(table(rows), '');
  }
  if (report.instanceFindings.length) {
    out.push('Instance:');
    for (const f of report.instanceFindings) out.push(...findingLines(f, '  '));
    out.push('');
  }
  for (const d of report.databases) {
    if (!d.findings.length) continue;
    out.push(`${d.name}: ${d.readiness.toUpperCase()}`);
    for (const f of d.findings) out.push(...findingLines(f, '  '));
    out.push('');
  }
  const notRun = report.rules.filter((r) => r.status === 'not-run');
  if (notRun.length) {
    out.push(`Not run (${notRun.length} rules): the login could not read what they need.`);
    for (const r of notRun) out.push(`  ${r.id}: ${r.reason ?? ''}`);
  }
  return out.join('\n').trimEnd();
}
