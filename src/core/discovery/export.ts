/**
 * Discovery results as files: JSON (the saved report, which `sqlmig assess --servers` reads back),
 * CSV (one row per instance found), and text for a terminal. A server list for the assessment is
 * read from a discovery report or from plain text (one server per line, `#` comments).
 */
import { table } from '../text';
import { DISCOVERY_FORMAT, DISCOVERY_FORMAT_VERSION, serverAddressOf, type DiscoveredServer, type DiscoveryReport } from './discover';

export function discoveryToJson(report: DiscoveryReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

function csvCell(v: string | number | boolean | undefined): string {
  const s = v === undefined ? '' : String(v);
  // A leading =, +, - or @ would be a formula in a spreadsheet: keep it text.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const yesNo = (b: boolean | undefined) => (b === undefined ? '' : b ? 'yes' : 'no');

/** One row per instance found; then one per silent host, so every target shows up. */
export function discoveryToCsv(report: DiscoveryReport): string {
  const rows: (string | number | boolean | undefined)[][] = [
    ['Server', 'Host', 'Address', 'Instance', 'Port', 'Version', 'Product', 'Edition', 'Clustered', 'SQL Server answered', 'Encryption', 'Found by', 'Note'],
  ];
  for (const s of report.servers) {
    rows.push([serverAddressOf(s), s.host, s.address, s.instance, s.port, s.version, s.productName, s.edition, yesNo(s.clustered), yesNo(s.tds), s.encryption, s.foundBy.join(' '), s.note]);
  }
  for (const h of report.silent) rows.push(['', h.host, h.address, '', '', '', '', '', '', 'no', '', '', h.reason]);
  for (const p of report.problems) rows.push(['', p.host, '', '', '', '', '', '', '', '', '', '', p.message]);
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

export function formatDiscovery(report: DiscoveryReport): string {
  const out: string[] = [];
  const s = report.settings;
  const how = [s.ssrp && `SQL Server Browser on UDP ${s.ssrpPort}`, s.broadcast !== 'off' && `broadcast (${s.broadcast})`, `PRELOGIN on TCP ${s.ports.join(', ')}`].filter(Boolean).join(', ');
  out.push(`${report.stats.hosts} host${report.stats.hosts === 1 ? '' : 's'} asked (${how}) in ${(report.durationMs / 1000).toFixed(1)} s: ${report.servers.length} SQL Server instance${report.servers.length === 1 ? '' : 's'} found`);
  if (report.servers.length) {
    const rows = [['Server', 'Instance', 'Version', 'Product', 'Clustered', 'Answered', 'Found by']];
    for (const x of report.servers) {
      rows.push([serverAddressOf(x), x.instance ?? '', x.version ?? '', x.productName ?? '', yesNo(x.clustered), x.tds ? 'yes' : 'no', x.foundBy.join(' ')]);
    }
    out.push('', table(rows));
    const notes = report.servers.filter((x) => x.note);
    if (notes.length) out.push('', ...notes.map((x) => `  ${serverAddressOf(x)}${x.instance ? ` (${x.instance})` : ''}: ${x.note}`));
  }
  if (report.problems.length) out.push('', 'Problems:', ...report.problems.map((p) => `  ${p.host}: ${p.message}`));
  if (report.silent.length) {
    const shown = report.silent.slice(0, 20);
    out.push('', `No SQL Server found (${report.silent.length}):`, ...shown.map((h) => `  ${h.host}${h.address ? ` (${h.address})` : ''}: ${h.reason}`));
    if (report.silent.length > shown.length) out.push(`  ... and ${report.silent.length - shown.length} more (--json or --csv lists them all)`);
  }
  return out.join('\n');
}

/** Reads a saved discovery report, saying what is wrong when it is not one. */
export function discoveryFromJson(text: string, source = 'the file'): DiscoveryReport {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source} is not JSON: ${(e as Error).message}`);
  }
  const root = doc as Partial<DiscoveryReport> | null;
  if (!root || typeof root !== 'object' || root.format !== DISCOVERY_FORMAT) throw new Error(`${source} is not a sqlmig discovery report (format "${DISCOVERY_FORMAT}")`);
  if (root.formatVersion !== DISCOVERY_FORMAT_VERSION) throw new Error(`${source} is a discovery report of format version ${String(root.formatVersion)}; this sqlmig reads version ${DISCOVERY_FORMAT_VERSION}`);
  if (!Array.isArray(root.servers)) throw new Error(`${source}: "servers" should be an array`);
  root.servers.forEach((s: DiscoveredServer, i) => {
    if (!s || typeof s.host !== 'string' || !s.host) throw new Error(`${source}: servers[${i}].host should be a host name`);
    if (s.port !== undefined && (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535)) throw new Error(`${source}: servers[${i}].port should be a TCP port`);
  });
  return { silent: [], problems: [], ...root } as DiscoveryReport;
}

/**
 * The servers to assess from a file: a discovery report (each instance a SQL Server answered
 * for, as HOST,PORT), a JSON array of server addresses, or text with one server per line (`#`
 * starts a comment; commas inside a line belong to HOST,PORT).
 */
export function serverList(text: string, source = 'the file'): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const report = discoveryFromJson(trimmed, source);
    const answered = report.servers.filter((s) => s.tds || (!s.port && s.instance));
    return [...new Set(answered.map(serverAddressOf))];
  }
  if (trimmed.startsWith('[')) {
    let list: unknown;
    try {
      list = JSON.parse(trimmed);
    } catch (e) {
      throw new Error(`${source} is not JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string' || !x.trim())) throw new Error(`${source}: a JSON server list is an array of server addresses`);
    return [...new Set((list as string[]).map((x) => x.trim()))];
  }
  const lines = text.split(/\r?\n/).map((l) => l.replace(/#.*$/, '').trim()).filter(Boolean);
  return [...new Set(lines)];
}
