/** `sqlmig perf collect|show` and `sqlmig recommend`: performance data, then the SKU to migrate to, with its cost. */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { collectPerformance, DEFAULT_BUFFER_POOL_EVERY, DEFAULT_INTERVAL_SEC, MIN_RECOMMENDATION_SECONDS, openSeries } from '../../core/perf';
import { fetchPriceSheet, loadPriceSheet, PriceError, retailPricesEndpoint, savePriceSheet, type LicenseModel, type PriceSheet } from '../../core/pricing';
import { assessmentFacts, formatRecommendation, formatSpan, HARDWARE, limitsTable, NotEnoughDataError, parseTier, percentile, recommendationToHtml, recommendationToJson, recommendSku, type Hardware } from '../../core/sku';
import { reportFromJson } from '../../core/assessment/report';
import { table } from '../../core/text';
import { cloudFrom, printJson, sandboxExample, SANDBOX_CLOUD, str, strs } from '../azureArgs';
import { EXIT_FAILED, EXIT_OK, UsageError, type Command, type Io, type Values } from '../command';
import { connectSourceFrom, SOURCE_HELP, SOURCE_OPTIONS } from './sqlServers';
import { numberOption, parseDuration, progressPrinter, timeOption } from './sizingArgs';

const PERF_DIR = '/tmp/sqlmig-perf';

export const perfCollect: Command = {
  name: ['perf', 'collect'],
  summary: 'Collect performance data from the source SQL Server for sizing (resumable)',
  usage: 'sqlmig perf collect --source-server S --source-user U --out DIR [--duration 10m] [--interval 30] [--buffer-pool-every 10] [--json]',
  help: `Samples the counters Microsoft's collector reads, over the connection: instance CPU
(sys.dm_os_ring_buffers), memory (sys.dm_os_process_memory), CPU per database
(sys.dm_exec_query_stats), buffer pool per database (sys.dm_os_buffer_descriptors), reads,
writes, bytes and latency per file and the log's growth (sys.dm_io_virtual_file_stats). One
batch per sample (its round trip is shown); host, databases and files are read at the start
and hourly. A progress bar shows on a terminal; Ctrl+C stops cleanly.

The folder holds collection.json (the server's facts, no connection details) and
samples.jsonl (one sample a line): files to keep and share. Running collect again on the same
folder appends to it, so a week can be gathered in pieces. "sqlmig recommend --data DIR" needs
at least ${MIN_RECOMMENDATION_SECONDS / 60} minutes; hours covering peak and quiet times are better.

  --out DIR                     the collection's folder (created, or resumed)
  --duration TIME               this run's length: 600, 10m, 2h, 1d (default 10m)
  --interval SECONDS            between samples (default ${DEFAULT_INTERVAL_SEC})
  --buffer-pool-every N         read the buffer pool every N samples (default ${DEFAULT_BUFFER_POOL_EVERY}; it scans every
                                buffer, so 1, as Microsoft's collector, costs more on big servers)
  --json                        print the result as JSON

${SOURCE_HELP}

${sandboxExample([
  'read -rs SQLMIG_SOURCE_PASSWORD && export SQLMIG_SOURCE_PASSWORD   # the sandbox line\'s sourceServer.password',
  `sqlmig perf collect ${SANDBOX_CLOUD} --source-server SQLSRC01 --source-user sqlmig --out ${PERF_DIR} --duration 10m`,
])}

Exit code: 0 when the run ended (at its duration or by Ctrl+C), 1 when the source refused, 2 on usage errors.`,
  options: {
    ...SOURCE_OPTIONS, cloud: { type: 'string' }, 'cloud-file': { type: 'string' }, out: { type: 'string' }, duration: { type: 'string' },
    interval: { type: 'string' }, 'buffer-pool-every': { type: 'string' }, json: { type: 'boolean' },
  },
  async run(values, _positionals, io) {
    const out = str(values, 'out');
    if (!out) throw new UsageError('--out DIR is required: the collection\'s folder');
    const durationSec = parseDuration(str(values, 'duration') ?? '10m', 'duration');
    const intervalSec = numberOption(values, 'interval', 1, 3600) ?? DEFAULT_INTERVAL_SEC;
    const bufferPoolEvery = numberOption(values, 'buffer-pool-every', 1, 10_000) ?? DEFAULT_BUFFER_POOL_EVERY;
    const folder = resolve(io.cwd, out);
    const source = await connectSourceFrom(values, io);
    const progress = progressPrinter(io, intervalSec);
    try {
      const r = await collectPerformance(source, {
        folder, intervalSec, durationSec, bufferPoolEvery, onProgress: (p) => progress.update(p), ...(io.signal && { signal: io.signal }),
      });
      progress.done();
      if (values.json) printJson(io, r);
      else {
        io.out(`${r.stoppedBy === 'cancelled' ? 'Stopped' : 'Done'}: ${r.taken} sample${r.taken === 1 ? '' : 's'} this run, ${r.total} in ${folder}, covering ${formatSpan(r.spanSeconds)}.`);
        io.out(`Each sample: one batch, ${r.sampleCostMs.mean.toFixed(1)} ms on average (at most ${r.sampleCostMs.max.toFixed(1)} ms); ${r.roundTrips} round trips this run.`);
        io.out(r.spanSeconds >= MIN_RECOMMENDATION_SECONDS * 0.98 ? `Next: sqlmig recommend --data ${out}` : `A recommendation needs ${formatSpan(MIN_RECOMMENDATION_SECONDS)}: run the same command again to add to the folder.`);
      }
      return EXIT_OK;
    } finally {
      progress.done();
      await source.close();
    }
  },
};

export const perfShow: Command = {
  name: ['perf', 'show'],
  summary: 'Summarise a performance collection (sqlmig\'s, or Microsoft\'s collector CSV files)',
  usage: 'sqlmig perf show --data DIR [--instance NAME] [--json]',
  help: `Reads a folder of performance data, whichever collected it: sqlmig perf collect, or
Microsoft's collector (Data Migration Assistant, Azure Data Studio, az datamigration,
SqlAssessment.exe: *_CommonInstanceLevel_Counters.csv, *_CommonDbLevel_Counters.csv and
*_PerformanceAggregated_Counters.csv), and prints what it covers: the window, CPU, memory, IO,
per database, and anything in the files it did not understand.

  --data DIR                    the folder
  --instance NAME               which instance, when a Microsoft collection holds several
  --json                        print the summary as JSON

${sandboxExample([`sqlmig perf show --data sandbox/perf/SQLSRC01`], 'run from the repository: the sandbox ships a sample collection of its source server in Microsoft\'s layout')}

Exit code: 0, 1 when the folder holds no collection, 2 on usage errors.`,
  options: { data: { type: 'string' }, instance: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const data = str(values, 'data');
    if (!data) throw new UsageError('--data DIR is required');
    const { series, notes } = await openSeries(resolve(io.cwd, data), { ...(str(values, 'instance') && { instance: str(values, 'instance') }) });
    const stat = (xs: number[]) => ({ mean: xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0, p95: percentile(xs, 95), max: Math.max(0, ...xs) });
    const summary = {
      server: series.server, host: series.host, source: series.source,
      instance: {
        cpuPercent: stat(series.instance.map((p) => p.cpuPercent)), vCores: stat(series.instance.map((p) => p.vCores)), memoryGb: stat(series.instance.map((p) => p.memoryGb)),
        iops: stat(series.instance.map((p) => p.iops)), miBps: stat(series.instance.map((p) => p.readMiBps + p.writeMiBps)), logMiBps: stat(series.instance.map((p) => p.logMiBps)),
        storageGb: Math.max(0, ...series.instance.map((p) => p.storageGb)),
      },
      databases: Object.entries(series.perDatabase).map(([name, pts]) => ({
        name, cpuShare: stat(pts.map((p) => p.cpuShare)).mean, vCoresP95: percentile(pts.map((p) => p.vCores), 95), iopsP95: percentile(pts.map((p) => p.iops), 95),
        cachedGb: Math.max(0, ...pts.map((p) => (p.cachedMb ?? 0) / 1024)), sizeGb: Math.max(0, ...pts.map((p) => p.dataGb + p.logGb)),
      })),
      notes,
    };
    if (values.json) {
      printJson(io, summary);
      return EXIT_OK;
    }
    const f = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
    io.out(`${series.server.name}: ${series.source.kind === 'sqlmig' ? 'sqlmig collection' : "Microsoft collector's files"}, ${formatSpan(series.source.spanSeconds)}${series.source.firstAt ? ` from ${series.source.firstAt} to ${series.source.lastAt}` : ''}; ${series.host.cpuCount} logical CPUs`);
    io.out(`  ${series.source.method}`);
    const i = summary.instance;
    io.out(table([['', 'Mean', 'P95', 'Max'],
      ['CPU %', f(i.cpuPercent.mean), f(i.cpuPercent.p95), f(i.cpuPercent.max)], ['vCores used', f(i.vCores.mean), f(i.vCores.p95), f(i.vCores.max)],
      ['Memory GB', f(i.memoryGb.mean), f(i.memoryGb.p95), f(i.memoryGb.max)], ['IOPS', f(i.iops.mean), f(i.iops.p95), f(i.iops.max)],
      ['MiB/s', f(i.miBps.mean), f(i.miBps.p95), f(i.miBps.max)], ['Log MiB/s', f(i.logMiBps.mean), f(i.logMiBps.p95), f(i.logMiBps.max)]]));
    io.out(`  storage: ${f(i.storageGb)} GB allocated`);
    io.out(table([['Database', 'CPU share', 'vCores P95', 'IOPS P95', 'Cached GB', 'Size GB'],
      ...summary.databases.map((d) => [d.name, `${(d.cpuShare * 100).toFixed(0)}%`, f(d.vCoresP95), f(d.iopsP95), f(d.cachedGb), f(d.sizeGb)])]));
    for (const n of notes) io.out(`note: ${n}`);
    return EXIT_OK;
  },
};

async function priceSheetFor(v: Values, io: Io): Promise<PriceSheet | undefined> {
  const file = str(v, 'prices');
  const region = str(v, 'region');
  const currency = str(v, 'currency');
  if (file) return loadPriceSheet(resolve(io.cwd, file), { ...(region && { region }), ...(currency && { currency }) });
  if (!region) {
    if (currency) throw new UsageError('--currency goes with --region (the Azure region to price in, e.g. westeurope) or --prices FILE');
    return undefined;
  }
  const endpoint = str(v, 'prices-endpoint') ?? retailPricesEndpoint(str(v, 'cloud') || str(v, 'cloud-file') ? await cloudFrom(v) : undefined);
  const sheet = await fetchPriceSheet({ endpoint, region, ...(currency && { currency }), refresh: Boolean(v['refresh-prices']), ...(io.signal && { signal: io.signal }) });
  const save = str(v, 'save-prices');
  if (save) await savePriceSheet(resolve(io.cwd, save), sheet);
  return sheet;
}

export const recommend: Command = {
  name: ['recommend'],
  summary: 'Recommend the Managed Instance tier, hardware and size from performance data, with its monthly cost',
  usage: 'sqlmig recommend --data DIR [--percentile 95] [--scale 100] [--region R [--currency C] | --prices FILE] [--database NAME]... [--json | --html FILE]',
  help: `Sizes Azure SQL Managed Instance from a performance collection (sqlmig perf collect, or the
CSV files of Microsoft's collector): each dimension at the chosen percentile times the scale
factor (CPU, memory, IOPS and throughput per file, log write rate; storage as allocated), checked
against the versioned limits table for every tier (General Purpose, Next-gen General Purpose,
Business Critical) and hardware: the smallest fitting size of each, the cheapest first. In-Memory
OLTP needs Business Critical; file counts, file sizes and database counts are checked too. Each
option says which dimension decided its size, the headroom left on every dimension, and the
next size down and up. For the instance, and for each database alone.

Prices come from the Azure Retail Prices API (public, no sign-in; kept a week in
~/.cache/sqlmig/prices) for --region, or from a file (--prices: a sheet saved with --save-prices,
or the API's own JSON) on machines without internet. Estimates are list prices, labelled with
region, currency and date.

  --data DIR                    the performance data (sqlmig's folder, or Microsoft's CSV files)
  --instance NAME               which instance, when a Microsoft collection holds several
  --percentile P                default 95
  --scale PERCENT               the comfort factor, default 100 (150: 4 vCores needed become 6)
  --from TIME --to TIME         only data in this UTC window (2026-11-02T08:00)
  --database NAME               only these databases (repeat); the instance's CPU and memory stay whole
  --tier TIER                   only this tier (repeat): general-purpose, next-gen-general-purpose, business-critical
  --hardware H                  only this hardware (repeat): ${HARDWARE.join(', ')}
  --max-io-latency MS           only tiers whose storage answers within this
  --assessment FILE             an assessment report (sqlmig assess --save): its In-Memory OLTP,
                                FILESTREAM and blockers count too
  --limits VERSION              the limits table (default: the newest)
  --region NAME                 price in this Azure region (armRegionName: westeurope, eastus...)
  --currency CODE               USD (default), EUR, GBP...
  --prices FILE                 prices from this file instead of the API
  --prices-endpoint URL         another Retail Prices endpoint (default: the cloud's, else public)
  --hybrid-benefit              price with the Azure Hybrid Benefit (no SQL license)
  --refresh-prices              ignore the cached prices
  --save-prices FILE            keep the prices read, for --prices on another machine
  --json                        print the recommendation as JSON
  --html FILE                   write a self-contained HTML report

${sandboxExample([
  'sqlmig recommend --data sandbox/perf/SQLSRC01 --database Sales --database Inventory --database Payroll \\',
  '  --prices sandbox/prices/retail-prices.json --region westeurope --currency EUR --html /tmp/sqlmig-recommendation.html',
], `run from the repository: sandbox/perf/SQLSRC01 is a sample collection of the sandbox's source server in Microsoft's layout, the price file a recorded answer of the API; or give --data ${PERF_DIR}, the folder perf collect wrote`)}

Exit code: 0 with a recommendation, 1 when nothing fits (or there is too little data), 2 on usage errors.`,
  options: {
    data: { type: 'string' }, instance: { type: 'string' }, percentile: { type: 'string' }, scale: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
    database: { type: 'string', multiple: true }, tier: { type: 'string', multiple: true }, hardware: { type: 'string', multiple: true },
    'max-io-latency': { type: 'string' }, assessment: { type: 'string' }, limits: { type: 'string' }, region: { type: 'string' }, currency: { type: 'string' },
    prices: { type: 'string' }, 'prices-endpoint': { type: 'string' }, 'hybrid-benefit': { type: 'boolean' }, 'refresh-prices': { type: 'boolean' },
    'save-prices': { type: 'string' }, cloud: { type: 'string' }, 'cloud-file': { type: 'string' }, json: { type: 'boolean' }, html: { type: 'string' },
  },
  async run(values, _positionals, io) {
    const data = str(values, 'data');
    if (!data) throw new UsageError('--data DIR is required: a performance collection (sqlmig perf collect) or Microsoft\'s collector files');
    const hardware = strs(values, 'hardware').map((h) => {
      if (!HARDWARE.includes(h as Hardware)) throw new UsageError(`--hardware must be one of ${HARDWARE.join(', ')}, not "${h}"`);
      return h as Hardware;
    });
    let tiers;
    let limits;
    try {
      tiers = strs(values, 'tier').map(parseTier);
      limits = limitsTable(str(values, 'limits'));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const from = timeOption(values, 'from');
    const to = timeOption(values, 'to');
    let assessment;
    const assessmentFile = str(values, 'assessment');
    if (assessmentFile) {
      const path = resolve(io.cwd, assessmentFile);
      assessment = assessmentFacts(reportFromJson(await readFile(path, 'utf8').catch(() => {
        throw new UsageError(`cannot read the assessment report ${path}`);
      }), path));
    }
    const { series, notes } = await openSeries(resolve(io.cwd, data), {
      ...(str(values, 'instance') && { instance: str(values, 'instance') }),
      window: { ...(from !== undefined && { from }), ...(to !== undefined && { to }) },
    });
    let prices: PriceSheet | undefined;
    try {
      prices = await priceSheetFor(values, io);
    } catch (e) {
      if (!(e instanceof PriceError)) throw e;
      io.err(`warning: no prices: ${e.message}`);
    }
    const maxIoLatencyMs = numberOption(values, 'max-io-latency', 0.1, 1000);
    let rec;
    try {
      rec = recommendSku(series, {
        percentile: numberOption(values, 'percentile', 1, 100) ?? 95, scaleFactor: numberOption(values, 'scale', 1, 1000) ?? 100, limits,
        ...(tiers.length && { tiers }), ...(hardware.length && { hardware }), ...(prices && { prices }),
        license: (values['hybrid-benefit'] ? 'hybrid-benefit' : 'license-included') as LicenseModel,
        ...(maxIoLatencyMs !== undefined && { maxIoLatencyMs }), ...(strs(values, 'database').length && { databases: strs(values, 'database') }),
        ...(assessment && { assessment }),
      });
    } catch (e) {
      if (e instanceof NotEnoughDataError) {
        io.err(`sqlmig recommend: ${e.message}`);
        return EXIT_FAILED;
      }
      throw e;
    }
    rec.notes.push(...notes.filter((n) => !rec.notes.includes(n)));
    const html = str(values, 'html');
    if (html) await writeFile(resolve(io.cwd, html), recommendationToHtml(rec));
    if (values.json) io.out(recommendationToJson(rec).trimEnd());
    else {
      io.out(formatRecommendation(rec));
      if (html) io.out(`Wrote ${resolve(io.cwd, html)}`);
    }
    return rec.instance.fits ? EXIT_OK : EXIT_FAILED;
  },
};
