/** `sqlmig baseline capture|compare`: the workload before the migration, the same after, and what changed. */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_INTERVAL_SEC } from '../../core/perf';
import { formatSpan } from '../../core/sku/recommend';
import type { SourceConnection } from '../../core/source';
import { baselineComparisonToHtml, baselineComparisonToJson, captureBaseline, compareBaselines, DEFAULT_TOP_QUERIES, formatBaselineComparison, loadBaseline } from '../../core/validation';
import { AZURE_OPTIONS, printJson, sandboxExample, SANDBOX_CLOUD, SANDBOX_PROVIDERS, str } from '../azureArgs';
import { EXIT_FAILED, EXIT_OK, UsageError, type Command } from '../command';
import { connectSourceFrom, connectTargetFrom, SOURCE_HELP, SOURCE_OPTIONS, TARGET_HELP, TARGET_OPTIONS, targetRefOf } from './sqlServers';
import { numberOption, parseDuration, progressPrinter } from './sizingArgs';

const BEFORE = '/tmp/sqlmig-baseline-source';
const AFTER = '/tmp/sqlmig-baseline-target';

export const baselineCapture: Command = {
  name: ['baseline', 'capture'],
  summary: 'Capture a workload baseline: counters and top queries, on the source before or the target after the migration',
  usage: 'sqlmig baseline capture (--source-server S --source-user U | --target MI_ID | --target-server H,P) --out DIR [--label TEXT] [--duration 10m] [--interval 30] [--json]',
  help: `Collects the same counters as "sqlmig perf collect" (CPU, memory, IO and latency per file,
log writes) for a while, then the top queries by CPU and by duration: from Query Store in the
databases where it is on (the window's intervals), else from sys.dm_exec_query_stats (per
execution since each plan was cached). Capture one on the source before the migration and one on
the target after the cutover, at a comparable time of day, then "sqlmig baseline compare".
The folder holds the collection and baseline.json; no connection details. Ctrl+C stops the
collection early and still reads the queries.

  --out DIR                     the baseline's folder
  --label TEXT                  which side and when (default: source, or target)
  --duration TIME               600, 10m, 2h (default 10m)
  --interval SECONDS            between samples (default ${DEFAULT_INTERVAL_SEC})
  --json                        print the result as JSON

${SOURCE_HELP}

${TARGET_HELP}

${sandboxExample([
  `S=${SANDBOX_PROVIDERS}`,
  'read -rs SQLMIG_SOURCE_PASSWORD && export SQLMIG_SOURCE_PASSWORD   # the sandbox line\'s sourceServer.password',
  'read -rs SQLMIG_TARGET_PASSWORD && export SQLMIG_TARGET_PASSWORD   # the sandbox line\'s targetServer.password',
  `sqlmig baseline capture ${SANDBOX_CLOUD} --source-server SQLSRC01 --source-user sqlmig --out ${BEFORE} --duration 10m`,
  `sqlmig baseline capture ${SANDBOX_CLOUD} --target $S/Microsoft.Sql/managedInstances/sqlmi-sandbox --target-user sqladmin --out ${AFTER} --duration 10m`,
])}

Exit code: 0, 1 when the server refused, 2 on usage errors.`,
  options: { ...AZURE_OPTIONS, ...SOURCE_OPTIONS, ...TARGET_OPTIONS, out: { type: 'string' }, label: { type: 'string' }, duration: { type: 'string' }, interval: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const out = str(values, 'out');
    if (!out) throw new UsageError('--out DIR is required: the baseline\'s folder');
    const onSource = Boolean(str(values, 'source-server'));
    const onTarget = Boolean(str(values, 'target') || str(values, 'target-server'));
    if (onSource === onTarget) throw new UsageError('name one server: --source-server (before the migration) or --target / --target-server (after it)');
    const durationSec = parseDuration(str(values, 'duration') ?? '10m', 'duration');
    const intervalSec = numberOption(values, 'interval', 1, 3600) ?? DEFAULT_INTERVAL_SEC;
    const folder = resolve(io.cwd, out);
    const conn: SourceConnection = onSource ? await connectSourceFrom(values, io) : await connectTargetFrom(values, io, await targetRefOf(values, io, false));
    const progress = progressPrinter(io, intervalSec);
    try {
      const r = await captureBaseline(conn, {
        folder, label: str(values, 'label') ?? (onSource ? 'source' : 'target'), intervalSec, durationSec,
        onProgress: (p) => progress.update(p), ...(io.signal && { signal: io.signal }),
      });
      progress.done();
      if (values.json) printJson(io, r);
      else {
        io.out(`Baseline "${r.baseline.label}" of ${r.baseline.server} in ${folder}: ${formatSpan(r.spanSeconds)} of counters (${r.total} samples), ${r.baseline.queries.length} top queries`
          + `${r.baseline.queryStoreDatabases.length ? ` (Query Store in ${r.baseline.queryStoreDatabases.join(', ')}, the plan cache elsewhere)` : ' (from the plan cache)'}.`);
      }
      return EXIT_OK;
    } finally {
      progress.done();
      await conn.close();
    }
  },
};

export const baselineCompare: Command = {
  name: ['baseline', 'compare'],
  summary: 'Compare two baselines: per metric and per top query, before, after and the change',
  usage: 'sqlmig baseline compare --before DIR --after DIR [--top 10] [--threshold 10] [--html FILE] [--json]',
  help: `Compares a baseline captured before the migration with one captured after: every metric's
mean and 95th percentile (CPU, memory, IOPS, throughput, log rate, read, write and log write
latency) and each of the top queries' CPU and duration per execution and executions per minute,
with the change. --html writes a page with the pictures: every metric's change at a glance, the
two windows over time, each query before and after.

  --before DIR --after DIR      the two baselines' folders
  --top N                       how many top queries (by CPU and by duration) to compare (default ${DEFAULT_TOP_QUERIES})
  --threshold PERCENT           a change beyond this counts as better or worse (default 10)
  --html FILE                   write the self-contained HTML report
  --json                        print the comparison as JSON

${sandboxExample([`sqlmig baseline compare --before ${BEFORE} --after ${AFTER} --html /tmp/sqlmig-baseline.html`], 'after the two captures of "sqlmig help baseline capture"')}

Exit code: 0 when nothing got worse beyond the threshold, 1 when a metric or a query did, 2 on usage errors.`,
  options: { before: { type: 'string' }, after: { type: 'string' }, top: { type: 'string' }, threshold: { type: 'string' }, html: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const before = str(values, 'before');
    const after = str(values, 'after');
    if (!before || !after) throw new UsageError('--before DIR and --after DIR are required');
    const top = numberOption(values, 'top', 1, 500);
    const threshold = numberOption(values, 'threshold', 0, 1000);
    const c = compareBaselines(await loadBaseline(resolve(io.cwd, before)), await loadBaseline(resolve(io.cwd, after)), {
      ...(top !== undefined && { top }), ...(threshold !== undefined && { threshold: threshold / 100 }),
    });
    const html = str(values, 'html');
    if (html) await writeFile(resolve(io.cwd, html), baselineComparisonToHtml(c));
    if (values.json) io.out(baselineComparisonToJson(c).trimEnd());
    else {
      io.out(formatBaselineComparison(c));
      if (html) io.out(`Wrote ${resolve(io.cwd, html)}`);
    }
    const worse = c.metrics.some((m) => m.verdict === 'worse') || c.queries.some((q) => q.verdict === 'slower');
    return worse ? EXIT_FAILED : EXIT_OK;
  },
};
