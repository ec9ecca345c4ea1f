/**
 * The report of several source servers assessed together: each server's own report (the
 * single-server shape, unchanged) or why it could not be assessed, and the totals over all of
 * them. The JSON form is the saved file (`sqlmig assess --import` reads both shapes); CSV, HTML
 * and text are views. Pure: the editor reads saved reports with it without loading the driver
 * (assessing is fleet.ts).
 */
import { reportFromJson, reportToCsv, type AssessmentReport } from './report';
import { badge, escapeHtml as e, findingHtml, REPORT_STYLE } from './reportHtml';
import { formatReport } from './reportText';
import { table } from '../text';

export const FLEET_REPORT_FORMAT = 'sqlmig-assessment-fleet';
export const FLEET_REPORT_FORMAT_VERSION = 1;

export interface FleetServerResult {
  /** The address assessed, as given (HOST,PORT or HOST\INSTANCE). */
  address: string;
  report?: AssessmentReport;
  /** Why it was not assessed: the kind of failure (unreachable, login, tls, permission, input, ...) and the message. */
  error?: { kind: string; message: string };
}

export interface FleetReport {
  format: typeof FLEET_REPORT_FORMAT;
  formatVersion: typeof FLEET_REPORT_FORMAT_VERSION;
  createdAt: string;
  durationMs: number;
  tool: { name: 'sqlmig'; version: string };
  target: AssessmentReport['target'];
  summary: {
    servers: number;
    assessed: number;
    failed: number;
    databases: number;
    ready: number;
    issues: number;
    blocked: number;
    blockers: number;
    issueCount: number;
    warnings: number;
  };
  servers: FleetServerResult[];
}

/** The totals over every server's report. */
export function summarizeFleet(servers: FleetServerResult[]): FleetReport['summary'] {
  const reports = servers.flatMap((s) => (s.report ? [s.report] : []));
  const sum = (k: keyof AssessmentReport['summary']) => reports.reduce((n, r) => n + r.summary[k], 0);
  return {
    servers: servers.length,
    assessed: reports.length,
    failed: servers.length - reports.length,
    databases: sum('databases'),
    ready: sum('ready'),
    issues: sum('issues'),
    blocked: sum('blocked'),
    blockers: sum('blockers'),
    issueCount: sum('issueCount'),
    warnings: sum('warnings'),
  };
}

export function isFleetReport(doc: unknown): boolean {
  return typeof doc === 'object' && doc !== null && (doc as { format?: unknown }).format === FLEET_REPORT_FORMAT;
}

export function fleetToJson(report: FleetReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Reads a saved multi-server report; each server's report is checked as a single report is. */
export function fleetFromJson(text: string, source = 'the file'): FleetReport {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source} is not JSON: ${(err as Error).message}`);
  }
  if (!isFleetReport(doc)) throw new Error(`${source} is not a sqlmig multi-server assessment report (format "${FLEET_REPORT_FORMAT}")`);
  const root = doc as FleetReport;
  if (root.formatVersion !== FLEET_REPORT_FORMAT_VERSION) {
    throw new Error(`${source} is a multi-server report of format version ${String(root.formatVersion)}; this sqlmig reads version ${FLEET_REPORT_FORMAT_VERSION}.`);
  }
  if (!Array.isArray(root.servers)) throw new Error(`${source} is not a sqlmig multi-server assessment report: servers should be an array`);
  const servers = root.servers.map((s, i) => {
    if (!s || typeof s.address !== 'string') throw new Error(`${source}: servers[${i}].address should be a string`);
    if (s.report) return { address: s.address, report: reportFromJson(JSON.stringify(s.report), `${source} servers[${i}].report`) };
    if (!s.error || typeof s.error.message !== 'string') throw new Error(`${source}: servers[${i}] has neither a report nor an error`);
    return { address: s.address, error: { kind: String(s.error.kind ?? 'failed'), message: s.error.message } };
  });
  return { ...root, servers, summary: summarizeFleet(servers) };
}

/** The single-server CSV's rows for every server (it has a Server column), and a row per server not assessed. */
export function fleetToCsv(report: FleetReport): string {
  const lines: string[] = [];
  let header: string | undefined;
  for (const s of report.servers) {
    if (!s.report) continue;
    const [head, ...rows] = reportToCsv(s.report).trimEnd().split('\r\n');
    header ??= head;
    lines.push(...rows);
  }
  header ??= 'Server,Database,Readiness,Rule,Category,Level,Title,Message,Impacted objects,Recommendation,Documentation';
  const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : /^[=+\-@]/.test(v) ? `'${v}` : v);
  for (const s of report.servers) if (!s.report) lines.push([cell(s.address), '', 'NOT ASSESSED', '', '', '', '', cell(s.error?.message ?? ''), '', '', ''].join(','));
  return `${[header, ...lines].join('\r\n')}\r\n`;
}

export function formatFleet(report: FleetReport): string {
  const s = report.summary;
  const out: string[] = [
    `${s.servers} servers: ${s.assessed} assessed, ${s.failed} not assessed; ${s.databases} databases: ${s.ready} ready, ${s.issues} with issues, ${s.blocked} blocked`,
    `Target: Azure SQL Managed Instance, ${report.target.tierName}, ${report.target.mode} migration (limits ${report.target.limitsVersion}); ${(report.durationMs / 1000).toFixed(1)} s`,
    '',
  ];
  const rows = [['Server', 'Name', 'Version', 'Edition', 'Databases', 'Ready', 'Issues', 'Blocked']];
  for (const x of report.servers) {
    const r = x.report;
    if (r) rows.push([x.address, r.server.name, `${r.server.productName} ${r.server.productVersion}`, r.server.edition, String(r.summary.databases), String(r.summary.ready), String(r.summary.issues), String(r.summary.blocked)]);
    else rows.push([x.address, '', 'NOT ASSESSED', '', '', '', '', '']);
  }
  out.push(table(rows), '');
  for (const x of report.servers) {
    if (x.error) out.push(`${x.address}: not assessed (${x.error.kind}): ${x.error.message}`, '');
    else if (x.report && (x.report.summary.blocked || x.report.summary.issues)) out.push(`== ${x.address}`, formatReport(x.report), '');
  }
  return out.join('\n').trimEnd();
}

/** One self-contained page: the servers, then each server's databases and what blocks them. */
export function fleetToHtml(report: FleetReport): string {
  const s = report.summary;
  const anchor = (i: number) => `server-${i + 1}`;
  const rows = report.servers
    .map((x, i) => {
      const r = x.report;
      if (!r) return `<tr><td>${e(x.address)}</td><td colspan="4">${badge('blocked', 'not assessed')} ${e(x.error?.message ?? '')}</td><td></td><td></td><td></td></tr>`;
      return `<tr><td><a href="#${anchor(i)}">${e(x.address)}</a></td><td>${e(r.server.name)}</td><td>${e(r.server.productName)} ${e(r.server.productVersion)}</td><td>${e(r.server.edition)}</td>
<td class="num">${r.summary.databases}</td><td class="num ready">${r.summary.ready}</td><td class="num issues">${r.summary.issues}</td><td class="num blocked">${r.summary.blocked}</td></tr>`;
    })
    .join('\n');
  const sections = report.servers
    .map((x, i) => {
      const r = x.report;
      if (!r) return '';
      const dbs = r.databases
        .map((d) => {
          const findings = [...r.instanceFindings.filter((f) => f.category === 'blocker'), ...d.findings].filter((f) => f.category !== 'warning');
          const body = findings.length ? findings.map(findingHtml).join('\n') : '<p class="muted">No blockers or issues.</p>';
          return `<details${d.readiness === 'blocked' ? ' open' : ''}><summary>${e(d.name)} ${badge(d.readiness)} <span class="muted">${d.counts.blocker} blockers, ${d.counts.issue} issues, ${d.counts.warning} warnings</span></summary>${body}</details>`;
        })
        .join('\n');
      return `<h2 id="${anchor(i)}">${e(x.address)} <span class="muted">${e(r.server.name)}</span></h2>
<div class="muted">${e(r.server.productName)} ${e(r.server.productVersion)}, ${e(r.server.edition)} · ${r.summary.databases} databases · ${r.roundTrips} queries in ${(r.durationMs / 1000).toFixed(1)} s</div>
${dbs || '<p class="muted">No databases were assessed.</p>'}`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Assessment of ${s.servers} SQL Servers for Azure SQL Managed Instance</title>
<style>${REPORT_STYLE}</style></head>
<body>
<h1>${s.servers} SQL Servers → Azure SQL Managed Instance</h1>
<div class="muted">Target ${e(report.target.tierName)}, ${e(report.target.mode)} migration · limits ${e(report.target.limitsVersion)} · assessed ${e(report.createdAt)} by sqlmig ${e(report.tool.version)} (${(report.durationMs / 1000).toFixed(1)} s)</div>
<div class="cards">
<div class="card"><b>${s.assessed} / ${s.servers}</b>servers assessed</div>
<div class="card"><b>${s.databases}</b>databases</div>
<div class="card ready"><b>${s.ready}</b>ready</div>
<div class="card issues"><b>${s.issues}</b>with issues</div>
<div class="card blocked"><b>${s.blocked}</b>blocked</div>
</div>
<h2>Servers</h2>
<table><thead><tr><th>Server</th><th>Name</th><th>Version</th><th>Edition</th><th>Databases</th><th>Ready</th><th>Issues</th><th>Blocked</th></tr></thead>
<tbody>${rows}</tbody></table>
${sections}
</body></html>
`;
}
