/** A validation report as text (the CLI), self-contained HTML (no scripts, nothing fetched) and JSON. */
import { badge, escapeHtml as e, REPORT_STYLE } from '../assessment/reportHtml';
import { table } from '../text';
import type { Difference, ValidationReport } from './validate';

export function validationToJson(r: ValidationReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

const v = (x: Difference['source']) => (x === undefined || x === null ? '-' : typeof x === 'number' ? x.toLocaleString('en-US') : x);

export function formatValidation(r: ValidationReport): string {
  const out = [
    `${r.source.database} on ${r.source.server} -> ${r.target.database} on ${r.target.server}: ${r.passed ? 'PASS' : 'FAIL'}${r.phase === 'early' ? ' (early look: the source is live, in-flight changes show as differences)' : ''}`,
  ];
  for (const c of r.checks) {
    out.push(`  ${c.status.toUpperCase().padEnd(7)} ${c.title}: ${c.summary}`);
    if (c.differences.length) out.push(table([['', 'Source', 'Target', ''], ...c.differences.map((d) => [d.item, String(v(d.source)), String(v(d.target)), d.note ?? ''])], '            '));
    for (const d of c.expected) out.push(`          expected on Managed Instance: ${d.item} ${v(d.source)} -> ${v(d.target)}${d.note ? ` (${d.note})` : ''}`);
  }
  out.push(`  Method: ${r.method.checksums}`);
  out.push(`  ${r.roundTrips.source} round trips to the source, ${r.roundTrips.target} to the target, ${r.durationMs} ms`);
  return out.join('\n');
}

function diffTable(ds: Difference[], caption = ''): string {
  if (!ds.length) return '';
  return `<table>${caption ? `<caption class="muted">${e(caption)}</caption>` : ''}<tr><th></th><th>Source</th><th>Target</th><th></th></tr>${ds.map((d) => `<tr><td>${e(d.item)}</td><td class="num">${e(String(v(d.source)))}</td><td class="num">${e(String(v(d.target)))}</td><td class="muted">${e(d.note ?? '')}</td></tr>`).join('')}</table>`;
}

export function validationToHtml(r: ValidationReport): string {
  const status = (s: string) => badge(s === 'pass' ? 'ready' : s === 'fail' ? 'blocked' : 'warning', s);
  const checks = r.checks.map((c) => `<details${c.status === 'fail' ? ' open' : ''}><summary>${status(c.status)} ${e(c.title)} <span class="muted">${e(c.summary)}</span></summary>
${diffTable(c.differences)}${diffTable(c.expected, "Expected on Managed Instance (not failures)")}</details>`).join('\n');
  const rows = r.tables.map((t) => `<tr><td>${e(t.table)}</td><td class="num">${e(String(v(t.sourceRows)))}</td><td class="num">${e(String(v(t.targetRows)))}</td>
<td>${t.sourceRows === t.targetRows ? badge('ready', 'same') : badge('blocked', 'differ')} <span class="muted">${t.countMethod}</span></td>
<td>${t.checksum === 'match' ? badge('ready', 'match') : t.checksum === 'differ' ? badge('blocked', 'differ') : '<span class="muted">not computed</span>'} <span class="muted">${e(t.checksumMethod === 'full' ? 'whole table' : t.checksumMethod === 'head' ? 'sampled' : '')}</span></td>
<td class="muted">${e(t.note ?? '')}${t.partitions ? e(`${t.note ? '; ' : ''}partitions: ${t.partitions.map((p) => `${p.partition}: ${v(p.source)} -> ${v(p.target)}`).join(', ')}`) : ''}</td></tr>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Validation: ${e(r.source.database)}</title><style>${REPORT_STYLE}</style></head><body>
<h1>${e(r.source.database)} ${r.passed ? badge('ready', 'pass') : badge('blocked', 'fail')}</h1>
<p class="muted">Source ${e(r.source.server)} (${e(r.source.productVersion)}), database ${e(r.source.database)} → target ${e(r.target.server)} (${e(r.target.productVersion)}), database ${e(r.target.database)}.
${r.phase === 'early' ? '<b>Early look</b>: the source is live, so in-flight changes show up as differences; validate again after the cutover for the final word.' : 'After the cutover.'}
Read-only on both sides; ${r.roundTrips.source} round trips to the source, ${r.roundTrips.target} to the target, ${r.durationMs} ms. ${e(r.createdAt)}.</p>
<h2>Checks</h2>${checks}
<h2>Tables</h2><table><tr><th>Table</th><th>Source rows</th><th>Target rows</th><th>Counts</th><th>Checksum</th><th></th></tr>${rows}</table>
<h2>Method</h2><p>Row counts: ${e(r.method.rowCounts)}.</p><p>Checksums: ${e(r.method.checksums)}</p>
</body></html>\n`;
}
