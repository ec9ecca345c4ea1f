/**
 * A self-contained HTML report: one file, inline styles, no scripts, nothing fetched, every value
 * escaped. It opens in any browser, offline, and prints well.
 */
import type { AssessmentReport, DatabaseReport, ReportFinding } from './report';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const e = escapeHtml;

/** The report's stylesheet (the multi-server report uses it too). */
export const REPORT_STYLE = `
:root { color-scheme: light dark; --fg: #1b1b1f; --muted: #5f6368; --bg: #fff; --card: #f5f6f8; --line: #d9dce1;
  --ready: #1a7f37; --issues: #9a6700; --blocked: #cf222e; --warn: #6e7781; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e6e6; --muted: #a0a4aa; --bg: #16171a; --card: #202226; --line: #34373c;
  --ready: #3fb950; --issues: #d29922; --blocked: #f85149; --warn: #8b949e; } }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); margin: 2rem auto; max-width: 1100px; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; }
.muted { color: var(--muted); }
.cards { display: flex; gap: .75rem; flex-wrap: wrap; margin: 1rem 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .6rem 1rem; min-width: 7rem; }
.card b { display: block; font-size: 1.4rem; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; border-radius: 999px; padding: 0 .55rem; font-size: .8rem; font-weight: 600; border: 1px solid currentColor; }
.ready { color: var(--ready); } .issues, .issue { color: var(--issues); } .blocked, .blocker { color: var(--blocked); } .warning { color: var(--warn); }
details { background: var(--card); border: 1px solid var(--line); border-radius: 6px; margin: .5rem 0; padding: .4rem .8rem; }
summary { cursor: pointer; font-weight: 600; }
.finding { border-top: 1px solid var(--line); padding: .5rem 0; } .finding:first-of-type { border-top: 0; }
.finding ul { margin: .25rem 0 .25rem 1.2rem; padding: 0; } code { font-family: ui-monospace, Consolas, monospace; font-size: .9em; }
@media print { details { break-inside: avoid; } details:not([open]) > *:not(summary) { display: block; } }
`;

export function badge(kind: string, text = kind): string {
  return `<span class="badge ${e(kind)}">${e(text)}</span>`;
}

export function findingHtml(f: ReportFinding): string {
  const objects = f.objects.length
    ? `<ul>${f.objects.map((o) => `<li><code>${e(o.type)}</code> ${e(o.name)}${o.detail ? ` <span class="muted">${e(o.detail)}</span>` : ''}</li>`).join('')}</ul>`
    : '';
  return `<div class="finding">${badge(f.category)} <b>${e(f.title)}</b> <span class="muted">${e(f.ruleId)}</span>
<div>${e(f.message)}</div>${objects}
<div><b>Recommendation:</b> ${e(f.recommendation)} <a href="${e(f.docs)}">Documentation</a></div></div>`;
}

function databaseSection(d: DatabaseReport): string {
  const body = d.findings.length ? d.findings.map(findingHtml).join('\n') : '<p class="muted">No findings.</p>';
  return `<details${d.readiness === 'blocked' ? ' open' : ''} id="db-${e(d.name)}"><summary>${e(d.name)} ${badge(d.readiness)}
<span class="muted">${d.counts.blocker} blockers, ${d.counts.issue} issues, ${d.counts.warning} warnings</span></summary>
${body}</details>`;
}

export function reportToHtml(report: AssessmentReport): string {
  const s = report.summary;
  const rows = report.databases
    .map((d) => `<tr><td><a href="#db-${e(d.name)}">${e(d.name)}</a></td><td>${badge(d.readiness)}</td><td class="num">${d.sizeMb.toFixed(0)}</td>
<td>${e(d.recoveryModel)}</td><td class="num">${d.compatibilityLevel}</td><td class="num">${d.counts.blocker}</td><td class="num">${d.counts.issue}</td><td class="num">${d.counts.warning}</td></tr>`)
    .join('\n');
  const notRun = report.rules.filter((r) => r.status === 'not-run');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Assessment of ${e(report.server.name)} for Azure SQL Managed Instance</title>
<style>${REPORT_STYLE}</style></head>
<body>
<h1>${e(report.server.name)} → Azure SQL Managed Instance</h1>
<div class="muted">${e(report.server.productName)} ${e(report.server.productVersion)} ${e(report.server.productLevel)}, ${e(report.server.edition)} ·
Target ${e(report.target.tierName)}, ${e(report.target.mode)} migration · limits ${e(report.target.limitsVersion)} ·
assessed ${e(report.createdAt)} by sqlmig ${e(report.tool.version)} (${report.roundTrips} queries, ${(report.durationMs / 1000).toFixed(1)} s)</div>
<div class="cards">
<div class="card"><b>${s.databases}</b>databases</div>
<div class="card ready"><b>${s.ready}</b>ready</div>
<div class="card issues"><b>${s.issues}</b>with issues</div>
<div class="card blocked"><b>${s.blocked}</b>blocked</div>
<div class="card"><b>${s.blockers} / ${s.issueCount} / ${s.warnings}</b>blockers / issues / warnings</div>
</div>
<h2>Databases</h2>
${report.databases.length ? `<table><thead><tr><th>Database</th><th>Readiness</th><th>Size (MB)</th><th>Recovery</th><th>Compat</th><th>Blockers</th><th>Issues</th><th>Warnings</th></tr></thead>
<tbody>${rows}</tbody></table>` : '<p class="muted">No databases were assessed.</p>'}
<h2>Instance</h2>
${report.instanceFindings.length ? `<details open><summary>${report.instanceFindings.length} findings about the server</summary>${report.instanceFindings.map(findingHtml).join('\n')}</details>` : '<p class="muted">No findings about the server.</p>'}
<h2>Findings by database</h2>
${report.databases.map(databaseSection).join('\n')}
${notRun.length ? `<h2>Rules not run</h2><ul>${notRun.map((r) => `<li><b>${e(r.id)}</b>: ${e(r.reason ?? '')}</li>`).join('')}</ul>` : ''}
<h2>Rules</h2>
<table><thead><tr><th>Rule</th><th>Category</th><th>Level</th><th>Result</th></tr></thead><tbody>
${report.rules.map((r) => `<tr><td><a href="${e(r.docs)}">${e(r.id)}</a> <span class="muted">${e(r.title)}</span></td><td>${badge(r.category)}</td><td>${e(r.level)}</td><td>${e(r.status)}</td></tr>`).join('\n')}
</tbody></table>
</body></html>
`;
}
