/** The recommendation as text (the CLI), self-contained HTML and JSON; and what an assessment report adds to it. */
import type { AssessmentReport } from '../assessment/report';
import { badge, escapeHtml as e, REPORT_STYLE } from '../assessment/reportHtml';
import { table } from '../text';
import { TIER_NAMES } from './miLimits';
import { DIMENSION_NAMES, formatSpan, HARDWARE_NAMES, type Check, type InstanceRecommendation, type Recommendation, type SkuOption } from './recommend';

export const RECOMMENDATION_FORMAT = 'sqlmig-sku-recommendation';

/** The databases an assessment found using In-Memory OLTP or FILESTREAM, and its blockers. */
export function assessmentFacts(report: AssessmentReport): { inMemoryOltp: string[]; filestream: string[]; blockers: string[] } {
  const all = [...report.instanceFindings, ...report.databases.flatMap((d) => d.findings)];
  const dbs = (rule: string) => [...new Set(all.filter((f) => f.ruleId === rule && f.database).map((f) => f.database!))];
  return {
    inMemoryOltp: dbs('InMemoryOltpOnGeneralPurpose'),
    filestream: dbs('FileStream'),
    blockers: all.filter((f) => f.category === 'blocker').map((f) => `${f.database ? `${f.database}: ` : ''}${f.title} (${f.ruleId})`),
  };
}

export function recommendationToJson(r: InstanceRecommendation): string {
  return `${JSON.stringify({ format: RECOMMENDATION_FORMAT, formatVersion: 1, ...r }, null, 2)}\n`;
}

const money = (n: number, currency: string) => `${currency} ${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const pct = (h?: number) => (h === undefined ? '' : `${Math.round(h * 100)}%`);
const cap = (c: Check) => (Number.isFinite(c.capacity) ? String(c.capacity) : 'unlimited');

function optionLines(o: SkuOption, prices: InstanceRecommendation['prices']): string[] {
  const lines = [`${o.name}`, `  ${o.explanation}`];
  if (o.price) {
    lines.push(`  estimated ${o.price.missing.length ? 'at least ' : ''}${money(o.price.monthly, o.price.currency)} a month (${o.price.region}, list prices of ${o.price.pricesAt.slice(0, 10)}${prices?.license === 'hybrid-benefit' ? ', Azure Hybrid Benefit' : ''})${o.price.missing.length ? `; NOT priced: ${o.price.missing.join(', ')}` : ''}`);
  }
  if (o.nextDown) lines.push(`  next size down: ${o.nextDown.vCores} vCores, short on ${o.nextDown.fails.map((d) => DIMENSION_NAMES[d]).join(', ')}${o.nextDownPrice !== undefined && o.price ? ` (${money(o.nextDownPrice, o.price.currency)})` : ''}`);
  if (o.nextUp) lines.push(`  next size up: ${o.nextUp.vCores} vCores, ${o.nextUp.memoryGb} GB memory${o.nextUpPrice !== undefined && o.price ? ` (${money(o.nextUpPrice, o.price.currency)})` : ''}`);
  return lines;
}

function recommendationText(r: Recommendation, prices: InstanceRecommendation['prices'], detail: boolean): string[] {
  const q = r.requirements;
  const out: string[] = [];
  if (detail) {
    out.push(`Needs (${q.percentile}th percentile × ${q.scaleFactor}%): ${q.vCores.toFixed(2)} vCores, ${q.memoryGb.toFixed(1)} GB memory, ${q.storageGb.toFixed(1)} GB storage, ${Math.round(q.iops)} IOPS, ${q.throughputMiBps.toFixed(1)} MiB/s, log ${q.logMiBps.toFixed(2)} MiB/s`
      + `${q.inMemoryOltp.length ? `; In-Memory OLTP in ${q.inMemoryOltp.join(', ')}` : ''}`);
  }
  if (!r.fits) {
    out.push('FITS NOTHING:');
    for (const reason of r.reasons) out.push(`  ${reason}`);
  } else {
    out.push(`RECOMMENDED: ${optionLines(r.recommended!, prices).join('\n')}`);
    if (detail) {
      out.push('', table([
        ['Dimension', 'Needed', 'Has', 'Headroom', ''],
        ...r.recommended!.checks.map((c) => [DIMENSION_NAMES[c.dimension], `${c.required} ${c.unit}`, `${cap(c)}${Number.isFinite(c.capacity) ? ` ${c.unit}` : ''}`, c.ok ? pct(c.headroom) : 'SHORT', c.detail ?? '']),
      ]));
      if (r.options.length > 1) {
        out.push('', 'Other options:');
        for (const o of r.options.slice(1)) out.push(...optionLines(o, prices).map((l) => `  ${l}`));
      }
    }
  }
  for (const b of r.blockers) out.push(`BLOCKER: ${b}`);
  return out;
}

export function formatRecommendation(r: InstanceRecommendation): string {
  const out = [
    `SKU recommendation for ${r.server}: ${r.source.kind === 'sqlmig' ? 'sqlmig collection' : "Microsoft collector's files"} ${r.source.location}, ${formatSpan(r.source.spanSeconds)} of data${r.source.firstAt ? ` (${r.source.firstAt} to ${r.source.lastAt})` : ''}`,
    `Method: ${r.method}.`,
    ...(r.prices ? [`Prices: ${r.prices.currency}, ${r.prices.region}, read ${r.prices.at.slice(0, 10)} from ${r.prices.source}`] : ['Prices: none (give --region, or --prices FILE offline)']),
    '',
    'Instance',
    ...recommendationText(r.instance, r.prices, true).map((l) => `  ${l}`),
  ];
  if (r.databases.length) {
    out.push('', 'Each database alone (what it would need on an instance of its own):');
    out.push(table([
      ['Database', 'vCores', 'Memory GB', 'Storage GB', 'IOPS', 'Smallest fit', 'Monthly'],
      ...r.databases.map((d) => [
        d.requirements.name, d.requirements.vCores.toFixed(2), d.requirements.memoryGb.toFixed(1), d.requirements.storageGb.toFixed(1), String(Math.round(d.requirements.iops)),
        d.recommended ? `${TIER_NAMES[d.recommended.sku.tier]} ${d.recommended.sku.vCores} vCores` : 'NOTHING FITS',
        d.recommended?.price ? money(d.recommended.price.monthly, d.recommended.price.currency) : '',
      ]),
    ]));
  }
  for (const n of [...r.notes, ...r.instance.notes]) out.push(`note: ${n}`);
  return out.join('\n');
}

function checksHtml(checks: Check[]): string {
  return `<table><tr><th>Dimension</th><th>Needed</th><th>Has</th><th>Used</th><th></th></tr>${checks.map((c) => {
    const h = c.headroom ?? (Number.isFinite(c.capacity) ? 0 : 1);
    const bar = c.ok ? `<div style="background:var(--line);border-radius:3px;width:8rem;height:.6rem"><div style="background:var(--ready);height:100%;border-radius:3px;width:${Math.max(2, Math.min(100, (1 - h) * 100)).toFixed(0)}%"></div></div>` : badge('blocked', 'short');
    return `<tr><td>${e(DIMENSION_NAMES[c.dimension])}</td><td class="num">${c.required} ${e(c.unit)}</td><td class="num">${e(cap(c))} ${Number.isFinite(c.capacity) ? e(c.unit) : ''}</td><td>${bar} ${c.ok && c.headroom !== undefined ? `${Math.round((1 - c.headroom) * 100)}% used, ${pct(c.headroom)} left` : c.ok ? 'no limit' : ''}</td><td class="muted">${e(c.detail ?? '')}</td></tr>`;
  }).join('')}</table>`;
}

function optionHtml(o: SkuOption, recommended: boolean): string {
  const price = o.price ? `${o.price.missing.length ? 'at least ' : ''}<b>${e(money(o.price.monthly, o.price.currency))}</b> a month${o.price.missing.length ? ` <span class="blocked">(not priced: ${e(o.price.missing.join(', '))})</span>` : ''}
<table>${o.price.lines.map((l) => `<tr><td>${e(l.what)}</td><td class="num">${l.quantity} ${e(l.unit)} × ${l.unitPrice}</td><td class="num">${e(money(l.monthly, o.price!.currency))}</td><td class="muted">${e(l.meter)}</td></tr>`).join('')}</table>` : '';
  return `<details${recommended ? ' open' : ''}><summary>${recommended ? badge('ready', 'recommended') : ''} ${e(o.name)}</summary>
<p>${e(o.explanation)}</p>${price}
<p>${o.nextDown ? `Next size down: ${o.nextDown.vCores} vCores, short on ${e(o.nextDown.fails.map((d) => DIMENSION_NAMES[d]).join(', '))}${o.nextDownPrice !== undefined && o.price ? ` (${e(money(o.nextDownPrice, o.price.currency))})` : ''}. ` : ''}
${o.nextUp ? `Next size up: ${o.nextUp.vCores} vCores, ${o.nextUp.memoryGb} GB memory${o.nextUpPrice !== undefined && o.price ? ` (${e(money(o.nextUpPrice, o.price.currency))})` : ''}.` : ''}</p>
${checksHtml(o.checks)}</details>`;
}

function recommendationHtml(r: Recommendation): string {
  const q = r.requirements;
  const needs = `<div class="cards">${[
    ['vCores', q.vCores.toFixed(2)], ['memory GB', q.memoryGb.toFixed(1)], ['storage GB', q.storageGb.toFixed(1)], ['IOPS', String(Math.round(q.iops))],
    ['MiB/s', q.throughputMiBps.toFixed(1)], ['log MiB/s', q.logMiBps.toFixed(2)],
  ].map(([k, v]) => `<div class="card"><b>${e(v!)}</b><span class="muted">${e(k!)}</span></div>`).join('')}</div>`;
  const body = r.fits
    ? r.options.map((o, i) => optionHtml(o, i === 0)).join('\n')
    : `<p>${badge('blocked', 'fits nothing')}</p><ul>${r.reasons.map((x) => `<li>${e(x)}</li>`).join('')}</ul>`;
  return `${needs}${r.blockers.map((b) => `<p>${badge('blocker')} ${e(b)}</p>`).join('')}${body}`;
}

export function recommendationToHtml(r: InstanceRecommendation): string {
  const dbRows = r.databases.map((d) => `<tr><td>${e(d.requirements.name)}</td><td class="num">${d.requirements.vCores.toFixed(2)}</td><td class="num">${d.requirements.memoryGb.toFixed(1)}</td>
<td class="num">${d.requirements.storageGb.toFixed(1)}</td><td class="num">${Math.round(d.requirements.iops)}</td><td>${d.recommended ? e(`${TIER_NAMES[d.recommended.sku.tier]}, ${HARDWARE_NAMES[d.recommended.sku.hardware]}, ${d.recommended.sku.vCores} vCores`) : badge('blocked', 'fits nothing')}</td>
<td class="num">${d.recommended?.price ? e(money(d.recommended.price.monthly, d.recommended.price.currency)) : ''}</td></tr>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>SKU recommendation: ${e(r.server)}</title><style>${REPORT_STYLE}</style></head><body>
<h1>Azure SQL Managed Instance sizing: ${e(r.server)}</h1>
<p class="muted">${e(formatSpan(r.source.spanSeconds))} of data from ${e(r.source.location)}${r.source.firstAt ? ` (${e(r.source.firstAt)} to ${e(r.source.lastAt ?? '')})` : ''}. ${e(r.source.method)}.<br>
Method: ${e(r.method)}.<br>${r.prices ? `Prices: ${e(r.prices.currency)}, region ${e(r.prices.region)}, list prices read ${e(r.prices.at.slice(0, 10))} from ${e(r.prices.source)}${r.prices.license === 'hybrid-benefit' ? ', with Azure Hybrid Benefit' : ', SQL license included'}. Estimates, not quotes.` : 'No prices.'}</p>
<h2>The instance</h2>${recommendationHtml(r.instance)}
${r.databases.length ? `<h2>Each database alone</h2><table><tr><th>Database</th><th>vCores</th><th>Memory GB</th><th>Storage GB</th><th>IOPS</th><th>Smallest fit</th><th>Monthly</th></tr>${dbRows}</table>` : ''}
${[...r.notes, ...r.instance.notes].map((n) => `<p class="muted">Note: ${e(n)}</p>`).join('')}
<p class="muted">Limits table ${e(r.limitsVersion)}; generated ${e(r.createdAt)} by sqlmig.</p></body></html>\n`;
}
