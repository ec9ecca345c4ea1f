/**
 * perf collect and show, recommend, baseline capture and compare, validate: their help's sandbox
 * examples run as printed (long runs stopped as Ctrl+C would), against the sandbox with its source
 * server and its managed instance's SQL endpoint wired the way sandbox.ts will (see
 * test/integration/serverObjects/cli.test.ts), Sales restored on the instance.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bundledProfile, type TableDrift } from '../../../sandbox/tds';
import { startSourceServer, type SourceServer } from '../../../sandbox/sourceServer';
import { restoredDatabase, sqlEndpointsFor, startTargetServer, type TargetServer } from '../../../sandbox/targetServer';
import type { Sandbox } from '../../../sandbox/sandbox';
import { sqlmig, type CliResult } from '../../support/cli';
import { tempDir } from '../../support/tmp';
import { cliSandbox } from '../migration/support';

const data = tempDir('sqlmig-sandbox-');
const out = tempDir('sqlmig-out-');
let sb: Sandbox;
let source: SourceServer;
let target: TargetServer;
let env: NodeJS.ProcessEnv;
const drift: TableDrift[] = [];

before(async () => {
  sb = await cliSandbox({ dataDir: data, sourceServer: async (o) => (source = await startSourceServer(o)) });
  const profile = bundledProfile('default');
  target = await startTargetServer({ instanceName: 'sqlmi-sandbox', hostName: 'sqlmi-sandbox.sandbox.localhost', databases: () => [restoredDatabase('Sales', 'Sales', profile)], drift: () => drift });
  const cloud = JSON.parse(readFileSync(sb.info.cloudFile, 'utf8'));
  cloud.sqlEndpoints = sqlEndpointsFor('127.0.0.1', { name: 'SQLSRC01', port: source.port, ...(source.certificate && { certificate: source.certificate }) }, { hostName: 'sqlmi-sandbox.sandbox.localhost', port: target.port, certificate: target.certificate });
  writeFileSync(sb.info.cloudFile, JSON.stringify(cloud), { mode: 0o600 });
  env = { SQLMIG_SOURCE_PASSWORD: source.password, SQLMIG_TARGET_PASSWORD: target.password };
});
after(async () => {
  await target?.stop();
  await sb?.stop();
});

/** The sqlmig lines of a command's sandbox example, with the example's folders moved to this test's. */
async function examples(words: string): Promise<string[][]> {
  const help = (await sqlmig(['help', ...words.split(' ')])).stdout;
  const section = /Example against the local sandbox[^\n]*?(?:\n\([^\n]*)?Then:\n((?: {2}[^\n]*\n?)+)/.exec(help);
  assert.ok(section, `sqlmig help ${words} has an example against the sandbox`);
  const vars = new Map<string, string>();
  const lines = section[1]!.replace(/ \\\n\s+/g, ' ').split('\n').map((l) => l.trim()).filter(Boolean);
  const found: string[][] = [];
  for (const line of lines) {
    const assign = /^(\w+)=(\S+)$/.exec(line);
    if (assign) vars.set(assign[1]!, assign[2]!);
    if (!line.startsWith('sqlmig ')) continue;
    found.push(line.replace(/\$(\w+)/g, (_, v: string) => vars.get(v) ?? `$${v}`).replace(/\/tmp\/(?!sqlmig-sandbox)/g, `${out}/`).replaceAll('/tmp/sqlmig-sandbox', data).split(/\s+/).slice(1));
  }
  assert.ok(found.length, `no sqlmig command in the example of ${words}`);
  return found;
}

/** Runs an example line; `stopAfter` lines matching stop it as Ctrl+C would. */
async function run(args: string[], expect: number, stopAfter?: { lines: RegExp; count: number }): Promise<CliResult> {
  const stop = new AbortController();
  let seen = 0;
  const r = await sqlmig(args, env, process.cwd(), {
    signal: stop.signal,
    ...(stopAfter && { onLine: (line: string) => stopAfter.lines.test(line) && ++seen >= stopAfter.count && stop.abort(new Error('interrupted')) }),
  });
  assert.equal(r.code, expect, `sqlmig ${args.join(' ')}\n${r.stdout}${r.stderr}`);
  assert.ok(!`${r.stdout}${r.stderr}`.includes(source.password) && !`${r.stdout}${r.stderr}`.includes(target.password), 'no password is printed');
  return r;
}

test('every new command has help with a sandbox example', async () => {
  for (const c of ['perf collect', 'perf show', 'recommend', 'baseline capture', 'baseline compare', 'validate']) await examples(c);
});

test('perf collect as printed (stopped after its first sample: it resumes later), perf show and recommend', async () => {
  const [collect] = await examples('perf collect');
  // Without a terminal the progress is a line at the first sample and every tenth; stop at the first.
  const r = await run(collect!, 0, { lines: /^\[#*\.*\] \d+\/21 samples/, count: 1 });
  assert.match(r.stdout, /Stopped: 1 sample this run, 1 in .*sqlmig-perf/);
  assert.match(r.stdout, /Each sample: one batch, \d+\.\d ms on average/);
  assert.match(r.stdout, /A recommendation needs 10 min: run the same command again to add to the folder/);
  assert.ok(existsSync(join(out, 'sqlmig-perf', 'collection.json')));
  const short = await sqlmig(['recommend', '--data', join(out, 'sqlmig-perf')]);
  assert.equal(short.code, 1);
  assert.match(short.stderr, /a recommendation needs at least 10 min/);

  const [show] = await examples('perf show');
  assert.match((await run(show!, 0)).stdout, /SQLSRC01: Microsoft collector's files, 2\.0 h/);
  const [rec] = await examples('recommend');
  const recommended = await run(rec!, 0);
  assert.match(recommended.stdout, /RECOMMENDED: Next-gen General Purpose, Premium-series, 10 vCores, 70 GB memory, 64 GB storage/);
  assert.match(recommended.stdout, /Prices: EUR, westeurope, read 2025-07-01/);
  assert.ok(existsSync(join(out, 'sqlmig-recommendation.html')));
  const json = JSON.parse((await sqlmig([...rec!, '--json'])).stdout);
  assert.equal(json.format, 'sqlmig-sku-recommendation');
  assert.equal(json.instance.recommended.sku.vCores, 10);
  // The whole server: Warehouse's 27 TB leave only Next-gen General Purpose at 32 vCores or more.
  const whole = await sqlmig(['recommend', '--data', 'sandbox/perf/SQLSRC01']);
  assert.equal(whole.code, 0);
  assert.match(whole.stdout, /RECOMMENDED: Next-gen General Purpose, Standard-series \(Gen5\), 32 vCores[^\n]*\n\s+32 vCores, because 24 vCores fall short on storage/);
  // Microsoft's files do not say which databases use In-Memory OLTP; the assessment does: Reporting does, so nothing fits.
  const assessment = join(out, 'assessment.json');
  await sqlmig(['assess', '--server', `127.0.0.1,${source.port}`, '--user', source.user, '--trust-server-certificate', '--save', assessment], env);
  const checked = await sqlmig(['recommend', '--data', 'sandbox/perf/SQLSRC01', '--assessment', assessment]);
  assert.equal(checked.code, 1);
  assert.match(checked.stdout, /FITS NOTHING:\n\s+General Purpose: even the largest size falls short on .*In-Memory OLTP/);
  assert.match(checked.stdout, /BLOCKER: FILESTREAM in DocumentStore/);
});

test('baseline capture on both sides as printed (3 seconds instead of 10 minutes), and compare', async () => {
  const short = (args: string[]) => args.map((a) => (a === '10m' ? '3' : a)).concat('--interval', '1');
  const [sourceSide, targetSide] = (await examples('baseline capture')).map(short);
  const b = await run(sourceSide!, 0);
  assert.match(b.stdout, /Baseline "source" of SQLSRC01 .*top queries \(Query Store in Sales, the plan cache elsewhere\)/);
  const a = await run(targetSide!, 0);
  assert.match(a.stdout, /Baseline "target" of sqlmi-sandbox/);
  const [compare] = await examples('baseline compare');
  // The instance's storage is slower than the source's: something got worse, exit code 1.
  const c = await run(compare!, 1);
  assert.match(c.stdout, /Read latency \(ms\).*WORSE/);
  assert.ok(existsSync(join(out, 'sqlmig-baseline.html')));
});

test('validate as printed: Sales passes; with rows missing on the target it fails, naming the table', async () => {
  const [v] = await examples('validate');
  drift.length = 0;
  const ok = await run(v!, 0);
  assert.match(ok.stdout, /Sales on SQLSRC01 -> Sales on sqlmi-sandbox: PASS/);
  assert.ok(existsSync(join(out, 'sqlmig-validation', 'Sales.html')) && existsSync(join(out, 'sqlmig-validation', 'Sales.json')));
  drift.push({ database: 'Sales', table: 'dbo.Orders', missingRows: 3 });
  const bad = await run(v!, 1);
  assert.match(bad.stdout, /FAIL/);
  assert.match(bad.stdout, /dbo\.Orders\s+2,400,000\s+2,399,997\s+3 rows fewer on the target/);
  const unknown = await sqlmig(v!.map((x) => (x === 'Sales' ? 'DocumentStore' : x)), env);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stdout, /DocumentStore: COULD NOT VALIDATE: .*has no database named DocumentStore/);
});
