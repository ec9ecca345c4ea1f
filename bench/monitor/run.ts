/**
 * bench/monitor: refreshing a dashboard of 500 migrations on the sandbox. Two ways, alternating,
 * in the same run, from a separate process with the same DmsClient (same pipeline, retries and
 * concurrency):
 *   - baseline: the naive refresh, one GET with $expand=MigrationStatusDetails per migration;
 *   - MigrationMonitor.refresh: one listMigrations per migration service (all its pages) plus
 *     one expanded GET per watched migration.
 * It prints ARM requests and wall time per refresh, each as a ratio to the baseline.
 *
 *   npm run bench:monitor [-- --migrations 500 --services 2 --watched 10 --refreshes 5 --concurrency 8]
 *   npm run bench:monitor -- --lrs [...]   the same for Log Replay Service restores (lrs.ts)
 *
 * Target: requests per refresh = listMigrations per service (one per page) + one per watched migration.
 */
import { spawn } from 'node:child_process';
import { createDefaultHttpClient, type HttpClient } from '@azure/core-rest-pipeline';
import { BlobServiceClient } from '@azure/storage-blob';
import { sampleChain } from '../../sandbox/backups/sampleChain';
import { startSandbox } from '../../sandbox/sandbox';
import { loadCloudFile } from '../../src/core/azure/cloud';
import { DmsClient, migrationRefFromId, serviceRefFromId } from '../../src/core/azure/dms/client';
import { staticTokenCredential } from '../../src/core/azure/pipeline';
import { mapBounded } from '../../src/core/backup';
import { MigrationMonitor, statusOf } from '../../src/core/migration';
import { lrsBench, lrsChild } from './lrs';

interface Plan {
  cloudFile: string;
  services: string[];
  migrations: string[];
  watched: number;
  refreshes: number;
  concurrency: number;
}

interface Measured {
  method: 'baseline' | 'monitor';
  ms: number;
  requests: number;
  lists: number;
  pages: number;
  seen: number;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!(v > 0) || !Number.isInteger(v)) throw new Error(`--${name} must be a positive whole number`);
  return v;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Child: the refreshes, measured; one JSON line per refresh. */
async function child(plan: Plan): Promise<void> {
  const cloud = await loadCloudFile(plan.cloudFile);
  const inner = createDefaultHttpClient();
  const count = { requests: 0, pages: 0 };
  const httpClient: HttpClient = {
    sendRequest(request) {
      count.requests++;
      if (/\/listMigrations/i.test(new URL(request.url).pathname)) count.pages++;
      return inner.sendRequest(request);
    },
  };
  const dms = new DmsClient({ cloud, credential: staticTokenCredential(cloud.accessToken!), httpClient });
  const services = plan.services.map(serviceRefFromId);
  const monitor = new MigrationMonitor(dms, { services, watched: plan.migrations.slice(0, plan.watched), concurrency: plan.concurrency });
  const refs = plan.migrations.map(migrationRefFromId);
  const measure = async (method: Measured['method'], refresh: () => Promise<number>) => {
    count.requests = 0;
    count.pages = 0;
    const t0 = performance.now();
    const seen = await refresh();
    const m: Measured = { method, ms: performance.now() - t0, requests: count.requests, lists: method === 'monitor' ? services.length : 0, pages: count.pages, seen };
    process.stdout.write(`${JSON.stringify(m)}\n`);
  };
  const baseline = async () => (await mapBounded(refs, plan.concurrency, (r) => dms.getMigration(r, { expand: true }))).filter((m) => statusOf(m)).length;
  const ours = async () => {
    const report = await monitor.refresh();
    if (report.errors.length) throw new Error(report.errors.map((e) => e.message).join('\n'));
    return monitor.snapshot().length;
  };
  for (let r = 0; r < plan.refreshes; r++) {
    const order = r % 2 === 0 ? ([['baseline', baseline], ['monitor', ours]] as const) : ([['monitor', ours], ['baseline', baseline]] as const);
    for (const [name, fn] of order) await measure(name, fn);
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--child')) {
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    return process.argv.includes('--lrs') ? lrsChild(JSON.parse(input)) : child(JSON.parse(input) as Plan);
  }
  // The same for Log Replay Service restores (lrs.ts).
  if (process.argv.includes('--lrs')) return lrsBench();
  const count = arg('migrations', 500);
  const serviceCount = arg('services', 2);
  const watched = arg('watched', 10);
  const refreshes = arg('refreshes', 5);
  const concurrency = arg('concurrency', 8);
  const serviceNames = Array.from({ length: serviceCount }, (_, i) => `dms-bench-${i + 1}`);
  // Ten simulated seconds per real second: scans every 6 s and restores of 12 s keep the
  // migrations moving (with their backup files in every answer) while the refreshes run.
  const sb = await startSandbox({
    clockSpeed: 10,
    sourceServer: false,
    timings: { migrationProvisionSeconds: 2, scanIntervalSeconds: 60, restoreBaseSeconds: 120 },
    profile: { migrationServices: serviceNames.map((name) => ({ resourceGroup: 'rg-sqlmig-sandbox', name })), storageAccounts: [{ resourceGroup: 'rg-sqlmig-sandbox', name: 'sqlmigsandbox', containers: ['bench'] }] },
  });
  try {
    const { info } = sb;
    const cloud = await loadCloudFile(info.cloudFile);
    const dms = new DmsClient({ cloud, credential: staticTokenCredential(info.accessToken) }, { pollIntervalMs: 100 });
    const account = sb.azurite.accounts[0]!;
    const container = BlobServiceClient.fromConnectionString(sb.azurite.connectionString(account.name)).getContainerClient('bench');
    const names = Array.from({ length: count }, (_, i) => `Db${String(i).padStart(4, '0')}`);
    const serviceIds = serviceNames.map((n) => `/subscriptions/${info.subscriptionId}/resourceGroups/rg-sqlmig-sandbox/providers/Microsoft.DataMigration/sqlMigrationServices/${n}`);
    const mi = migrationRefFromId(`${info.managedInstanceId}/providers/Microsoft.DataMigration/databaseMigrations/x`);
    let t = Date.now();
    const ids = await mapBounded(names, 16, async (name, i) => {
      for (const f of sampleChain({ databaseName: name, logs: 3, pages: 1, vlf: 30 + i })) await container.getBlockBlobClient(`${name}/${f.fileName}`).uploadData(f.bytes);
      const ref = { ...mi, targetDatabase: name };
      await dms.createMigration(ref, {
        properties: {
          kind: 'SqlMi',
          scope: info.managedInstanceId,
          migrationService: serviceIds[i % serviceIds.length],
          sourceDatabaseName: name,
          backupConfiguration: { sourceLocation: { azureBlob: { authType: 'AccountKey', storageAccountResourceId: info.storageAccountId, accountKey: account.key1, blobContainerName: `bench/${name}` } } },
        },
      });
      return `${info.managedInstanceId}/providers/Microsoft.DataMigration/databaseMigrations/${name}`;
    });
    process.stdout.write(`setup: ${count} migrations on ${serviceCount} migration services started in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);

    t = Date.now();
    const results = await runChild({ cloudFile: info.cloudFile, services: serviceIds, migrations: ids, watched, refreshes, concurrency });
    const of = (m: Measured['method']) => results.filter((r) => r.method === m);
    for (const r of results) if (r.seen !== count) throw new Error(`${r.method} saw ${r.seen} migrations, not ${count}`);
    const base = of('baseline');
    const ours = of('monitor');
    const req = (rs: Measured[]) => median(rs.map((r) => r.requests));
    const ms = (rs: Measured[]) => median(rs.map((r) => r.ms));
    const pages = median(ours.map((r) => r.pages));
    process.stdout.write(`\nbench/monitor: ${count} migrations on ${serviceCount} migration services (sandbox on loopback), ${watched} watched, ${concurrency} calls at once, median of ${refreshes} refreshes each\n`);
    process.stdout.write(`  baseline: GET with details per migration   ${String(req(base)).padStart(5)} requests/refresh   ${ms(base).toFixed(0).padStart(6)} ms/refresh\n`);
    process.stdout.write(`  MigrationMonitor.refresh                    ${String(req(ours)).padStart(5)} requests/refresh   ${ms(ours).toFixed(0).padStart(6)} ms/refresh   (${serviceCount} listMigrations = ${pages} pages, + ${watched} GETs)\n`);
    process.stdout.write(`  ratio to baseline: requests ${(req(ours) / req(base)).toFixed(3)}, wall time ${(ms(ours) / ms(base)).toFixed(3)}\n`);
    const target = pages + watched;
    process.stdout.write(`  target: one listMigrations per service (${serviceCount}, ${pages} pages of up to 100) + one GET per watched migration (${watched}) = ${target} requests: ${req(ours) === target ? 'met' : `NOT met (${req(ours)})`}\n`);
  } finally {
    await sb.stop();
  }
}

function runChild(plan: Plan): Promise<Measured[]> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [process.argv[1]!, '--child'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.once('error', reject);
    c.once('exit', (code) => (code === 0 ? resolve(out.trim().split('\n').map((l) => JSON.parse(l) as Measured)) : reject(new Error(`the measuring process exited with ${code}`))));
    c.stdin.end(JSON.stringify(plan));
  });
}

main().catch((e) => {
  process.stderr.write(`bench:monitor failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
