/**
 * The baseline comparison as text, JSON and a self-contained HTML page whose pictures are inline
 * SVG: the change of every metric at a glance (bars left of the line are better), the two runs'
 * CPU and IOPS over their windows, and each top query's time per execution before and after.
 */
import { badge, escapeHtml as e, REPORT_STYLE } from '../assessment/reportHtml';
import { table } from '../text';
import type { BaselineComparison, MetricComparison, QueryComparison } from './baseline';

const BEFORE = '#3b6fd4';
const AFTER = '#e07b1a';
const GOOD = '#1a7f37';
const BAD = '#cf222e';
const NEUTRAL = '#8b949e';

const f = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));
const pct = (c?: number) => (c === undefined ? 'n/a' : `${c > 0 ? '+' : ''}${(c * 100).toFixed(0)}%`);

export function baselineComparisonToJson(c: BaselineComparison): string {
  return `${JSON.stringify({ format: 'sqlmig-baseline-comparison', formatVersion: 1, ...c }, null, 2)}\n`;
}

export function formatBaselineComparison(c: BaselineComparison): string {
  const out = [
    `Before: ${c.before.label} on ${c.before.server}, ${c.before.since} (${Math.round(c.before.spanSeconds / 60)} min)`,
    `After:  ${c.after.label} on ${c.after.server}, ${c.after.since} (${Math.round(c.after.spanSeconds / 60)} min)`,
    '',
    table([['Metric', 'Before (mean / P95)', 'After (mean / P95)', 'Change', ''], ...c.metrics.map((m) => [
      `${m.metric} (${m.unit})`, `${f(m.before.mean)} / ${f(m.before.p95)}`, `${f(m.after.mean)} / ${f(m.after.p95)}`, pct(m.change), m.verdict.toUpperCase(),
    ])]),
    '',
    'Top queries (per execution):',
    table([['Database', 'Query', 'CPU ms before -> after', 'Duration ms before -> after', 'Change', ''], ...c.queries.map((q) => [
      q.database, q.text.replace(/\s+/g, ' ').slice(0, 60), `${f(q.before.cpuMsPerExec)} -> ${q.after ? f(q.after.cpuMsPerExec) : '-'}`,
      `${f(q.before.durationMsPerExec)} -> ${q.after ? f(q.after.durationMsPerExec) : '-'}`, pct(q.durationChange), q.verdict.toUpperCase(),
    ])]),
  ];
  for (const n of c.notes) out.push(`note: ${n}`);
  return out.join('\n');
}

function verdictColor(m: MetricComparison): string {
  return m.verdict === 'better' ? GOOD : m.verdict === 'worse' ? BAD : NEUTRAL;
}

/** Diverging bars: each metric's change of the mean, clamped to ±100%. */
function changeChart(metrics: MetricComparison[]): string {
  const row = 28;
  const left = 150;
  const width = 360;
  const mid = left + width / 2;
  const h = metrics.length * row + 30;
  const bars = metrics.map((m, i) => {
    const y = 20 + i * row;
    const c = Math.max(-1, Math.min(1, m.change ?? 0));
    const w = (Math.abs(c) * width) / 2;
    const x = c < 0 ? mid - w : mid;
    return `<text x="${left - 8}" y="${y + 14}" text-anchor="end" font-size="12" fill="currentColor">${e(m.metric)}</text>
<rect x="${x.toFixed(1)}" y="${y + 3}" width="${Math.max(1, w).toFixed(1)}" height="16" fill="${verdictColor(m)}" rx="2"><title>${e(`${m.metric}: ${f(m.before.mean)} -> ${f(m.after.mean)} ${m.unit} (${pct(m.change)})`)}</title></rect>
<text x="${left + width + 12}" y="${y + 15}" font-size="12" font-weight="600" fill="${verdictColor(m)}">${e(pct(m.change))}</text>
<text x="${left + width + 66}" y="${y + 15}" font-size="11" fill="${NEUTRAL}">${e(`${f(m.before.mean)} → ${f(m.after.mean)} ${m.unit}`)}</text>`;
  }).join('\n');
  return `<svg viewBox="0 0 ${left + width + 250} ${h}" width="100%" role="img" aria-label="Change of each metric, after against before" xmlns="http://www.w3.org/2000/svg">
<line x1="${mid}" y1="10" x2="${mid}" y2="${h - 10}" stroke="${NEUTRAL}" stroke-width="1"/>
<text x="${mid - 8}" y="12" text-anchor="end" font-size="10" fill="${NEUTRAL}">lower after</text><text x="${mid + 8}" y="12" font-size="10" fill="${NEUTRAL}">higher after</text>
${bars}</svg>`;
}

/** Two runs' values over their windows (minutes since each began). */
function lineChart(title: string, unit: string, before: [number, number][], after: [number, number][]): string {
  const W = 520;
  const H = 170;
  const pad = { l: 44, r: 10, t: 22, b: 26 };
  const xs = [...before, ...after].map((p) => p[0]);
  const ys = [...before, ...after].map((p) => p[1]);
  const xMax = Math.max(1, ...xs);
  const yMax = Math.max(1e-9, ...ys) * 1.1;
  const x = (v: number) => pad.l + (v / xMax) * (W - pad.l - pad.r);
  const y = (v: number) => H - pad.b - (v / yMax) * (H - pad.t - pad.b);
  const path = (pts: [number, number][]) => pts.map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join('');
  return `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${e(title)} before and after" xmlns="http://www.w3.org/2000/svg">
<text x="${pad.l}" y="14" font-size="12" font-weight="600" fill="currentColor">${e(title)} <tspan font-weight="400" fill="${NEUTRAL}">(${e(unit)})</tspan></text>
<line x1="${pad.l}" y1="${H - pad.b}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="${NEUTRAL}"/><line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${H - pad.b}" stroke="${NEUTRAL}"/>
<text x="${pad.l - 4}" y="${pad.t + 8}" text-anchor="end" font-size="10" fill="${NEUTRAL}">${f(yMax)}</text><text x="${pad.l - 4}" y="${H - pad.b}" text-anchor="end" font-size="10" fill="${NEUTRAL}">0</text>
<text x="${W - pad.r}" y="${H - 8}" text-anchor="end" font-size="10" fill="${NEUTRAL}">${f(xMax)} min</text>
<path d="${path(before)}" fill="none" stroke="${BEFORE}" stroke-width="2"/><path d="${path(after)}" fill="none" stroke="${AFTER}" stroke-width="2"/></svg>`;
}

/** Each query's duration per execution, before (blue) and after (orange), on a log scale. */
function queryChart(queries: QueryComparison[]): string {
  const shown = queries.filter((q) => q.after);
  if (!shown.length) return '';
  const row = 26;
  const left = 330;
  const width = 330;
  const vals = shown.flatMap((q) => [q.before.durationMsPerExec, q.after!.durationMsPerExec]).filter((v) => v > 0);
  const lo = Math.log10(Math.max(1e-3, Math.min(...vals)) / 1.5);
  const hi = Math.log10(Math.max(...vals) * 1.5);
  const x = (v: number) => left + ((Math.log10(Math.max(v, 1e-3)) - lo) / Math.max(1e-9, hi - lo)) * width;
  const h = shown.length * row + 34;
  const rows = shown.map((q, i) => {
    const y = 24 + i * row;
    const b = x(q.before.durationMsPerExec);
    const a = x(q.after!.durationMsPerExec);
    const color = q.verdict === 'faster' ? GOOD : q.verdict === 'slower' ? BAD : NEUTRAL;
    const label = `${q.database}: ${q.text.replace(/\s+/g, ' ')}`;
    return `<text x="${left - 10}" y="${y + 4}" text-anchor="end" font-size="11" fill="currentColor"><title>${e(label)}</title>${e(label.length > 46 ? `${label.slice(0, 45)}…` : label)}</text>
<line x1="${b.toFixed(1)}" y1="${y}" x2="${a.toFixed(1)}" y2="${y}" stroke="${color}" stroke-width="3"/>
<circle cx="${b.toFixed(1)}" cy="${y}" r="5" fill="${BEFORE}"><title>${e(`before: ${f(q.before.durationMsPerExec)} ms`)}</title></circle>
<circle cx="${a.toFixed(1)}" cy="${y}" r="5" fill="${AFTER}"><title>${e(`after: ${f(q.after!.durationMsPerExec)} ms`)}</title></circle>
<text x="${Math.max(a, b) + 10}" y="${y + 4}" font-size="11" fill="${color}">${e(pct(q.durationChange))}</text>`;
  }).join('\n');
  return `<svg viewBox="0 0 ${left + width + 70} ${h}" width="100%" role="img" aria-label="Duration per execution of each top query, before and after" xmlns="http://www.w3.org/2000/svg">
<text x="${left}" y="12" font-size="10" fill="${NEUTRAL}">ms per execution (log scale)</text>${rows}</svg>`;
}

export function baselineComparisonToHtml(c: BaselineComparison): string {
  const worse = c.metrics.filter((m) => m.verdict === 'worse').length + c.queries.filter((q) => q.verdict === 'slower').length;
  const better = c.metrics.filter((m) => m.verdict === 'better').length + c.queries.filter((q) => q.verdict === 'faster').length;
  const metricRows = c.metrics.map((m) => `<tr><td>${e(m.metric)} <span class="muted">${e(m.unit)}</span></td><td class="num">${f(m.before.mean)}</td><td class="num">${f(m.before.p95)}</td>
<td class="num">${f(m.after.mean)}</td><td class="num">${f(m.after.p95)}</td><td class="num">${e(pct(m.change))}</td><td>${badge(m.verdict === 'better' ? 'ready' : m.verdict === 'worse' ? 'blocked' : 'warning', m.verdict)}</td></tr>`).join('');
  const queryRows = c.queries.map((q) => `<tr><td>${e(q.database)}</td><td><code>${e(q.text.slice(0, 160))}</code></td><td class="num">${f(q.before.cpuMsPerExec)} → ${q.after ? f(q.after.cpuMsPerExec) : '-'}</td>
<td class="num">${f(q.before.durationMsPerExec)} → ${q.after ? f(q.after.durationMsPerExec) : '-'}</td><td class="num">${f(q.before.perMinute)} → ${q.after ? f(q.after.perMinute) : '-'}</td>
<td class="num">${e(pct(q.durationChange))}</td><td>${badge(q.verdict === 'faster' ? 'ready' : q.verdict === 'slower' ? 'blocked' : 'warning', q.verdict)}</td></tr>`).join('');
  const timelines = c.timeline.filter((t) => t.before.length || t.after.length).map((t) => `<div style="flex:1 1 480px">${lineChart(t.metric, t.unit, t.before, t.after)}</div>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Baseline comparison: ${e(c.before.server)} → ${e(c.after.server)}</title><style>${REPORT_STYLE}</style></head><body>
<h1>Before and after the migration</h1>
<p class="muted"><span style="color:${BEFORE}">●</span> Before: ${e(c.before.label)} on ${e(c.before.server)}, from ${e(c.before.since)}, ${Math.round(c.before.spanSeconds / 60)} minutes.
<span style="color:${AFTER}">●</span> After: ${e(c.after.label)} on ${e(c.after.server)}, from ${e(c.after.since)}, ${Math.round(c.after.spanSeconds / 60)} minutes.
A change beyond ${Math.round(c.threshold * 100)}% counts.</p>
<div class="cards"><div class="card"><b class="ready">${better}</b><span class="muted">better</span></div><div class="card"><b class="blocked">${worse}</b><span class="muted">worse</span></div>
<div class="card"><b>${c.queries.length}</b><span class="muted">top queries compared</span></div></div>
<h2>At a glance</h2>${changeChart(c.metrics)}
<h2>Over the windows</h2><div style="display:flex;flex-wrap:wrap;gap:1rem">${timelines}</div>
<h2>Top queries</h2>${queryChart(c.queries)}
<table><tr><th>Database</th><th>Query</th><th>CPU ms/exec</th><th>Duration ms/exec</th><th>Per minute</th><th>Change</th><th></th></tr>${queryRows}</table>
<h2>Every metric</h2><table><tr><th>Metric</th><th>Before mean</th><th>Before P95</th><th>After mean</th><th>After P95</th><th>Change</th><th></th></tr>${metricRows}</table>
${c.notes.map((n) => `<p class="muted">Note: ${e(n)}</p>`).join('')}
<p class="muted">Generated ${e(c.createdAt)} by sqlmig.</p></body></html>\n`;
}
