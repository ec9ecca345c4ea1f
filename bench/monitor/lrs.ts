/**
 * bench/monitor, Log Replay Service: refreshing a view of 500 LRS restores spread over a few
 * managed instances of the sandbox. Two ways, alternating, in the same run, from a separate
 * process with the same LrsClient (same pipeline, retries and concurrency):
 *   - baseline: one restoreDetails GET per restoring database (what a per-database status loop does);
 *   - LrsMonitor.refresh: one list of databases per instance (every page) plus one
 *     restoreDetails per watched restore, and, in a second variant, a rotating sweep of the others.
 * It prints requests and wall time per refresh, each as a ratio to the baseline, and the floor
 * the API allows.
 *
 *   npm run bench:monitor -- --lrs [--restores 500 --instances 3 --watched 10 --sweep 25 --refreshes 5 --concurrency 8]
 */
import { spawn } from 'node:child_process';
import { createDefaultHttpClient, type HttpClient } from '@azure/core-rest-pipeline';
import { BlobServiceClient } from '@azure/storage-blob';
import { sampleChain } from '../../sandbox/backups/sampleChain';
import { startSandbox } from '../../sandbox/sandbox';
import { loadCloudFile } from '../../src/core/azure/cloud';
import { LrsClient } from '../../src/core/azure/lrs/client';
import { managedDatabaseIdOf, restoreRefFromId, type InstanceRef } from '../../src/core/azure/lrs/models';
import { staticTokenCredential } from '../../src/core/azure/pipeline';
import { containerSasWithKey } from '../../src/core/azure/sas';
import { mapBounded } from '../../src/core/backup';
import { LrsMonitor } from '../../src/core/migration/lrsMonitor';

interface Plan {
  cloudFile: string;
  instances: InstanceRef[];
  restores: string[];
  watched: number;
  sweep: number;
  refreshes: number;
  concurrency: number;
}

interface Measured {
  method: 'baseline' | 'monitor' | 'monitor+sweep';
  ms: number;
  requests: number;
  pages: number;
  seen: number;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!(v >= 0) || !Number.isInteger(v)) throw new Error(`--${name} must be a whole number`);
  return v;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Child: the refreshes, measured; one JSON line per refresh. */
export async function lrsChild(plan: Plan): Promise<void> {
  const cloud = await loadCloudFile(plan.cloudFile);
  const inner = createDefaultHttpClient();
  const count = { requests: 0, pages: 0 };
  const httpClient: HttpClient = {
    sendRequest(request) {
      count.requests++;
      if (/\/databases$/i.test(new URL(request.url).pathname)) count.pages++;
      return inner.sendRequest(request);
    },
  };
  const lrs = new LrsClient({ cloud, credential: staticTokenCredential(cloud.accessToken!), httpClient });
  const watched = plan.restores.slice(0, plan.watched);
  const monitor = new LrsMonitor(lrs, { instances: plan.instances, watched, concurrency: plan.concurrency });
  const sweeping = new LrsMonitor(lrs, { instances: plan.instances, watched, sweep: plan.sweep, concurrency: plan.concurrency });
  const refs = plan.restores.map(restoreRefFromId);
  const measure = async (method: Measured['method'], refresh: () => Promise<number>) => {
    count.requests = 0;
    count.pages = 0;
    const t0 = performance.now();
    const seen = await refresh();
    process.stdout.write(`${JSON.stringify({ method, ms: performance.now() - t0, requests: count.requests, pages: count.pages, seen } satisfies Measured)}\n`);
  };
  const baseline = async () => (await mapBounded(refs, plan.concurrency, (r) => lrs.getRestoreDetails(r))).filter((d) => d.properties?.status).length;
  const ours = (m: LrsMonitor) => async () => {
    const report = await m.refresh();
    if (report.errors.length) throw new Error(report.errors.map((e) => e.message).join('\n'));
    return m.snapshot().length;
  };
  for (let r = 0; r < plan.refreshes; r++) {
    const runs = [['baseline', baseline], ['monitor', ours(monitor)], ['monitor+sweep', ours(sweeping)]] as const;
    for (const [name, fn] of r % 2 === 0 ? runs : [...runs].reverse()) await measure(name, fn);
  }
}

export async function lrsBench(): Promise<void> {
  const count = arg('restores', 500);
  const instanceCount = arg('instances', 3);
  const watched = arg('watched', 10);
  const sweep = arg('sweep', 25);
  const refreshes = arg('refreshes', 5);
  const concurrency = arg('concurrency', 8);
  const names = Array.from({ length: instanceCount }, (_, i) => `sqlmi-bench-${i + 1}`);
  // Ten simulated seconds per real second: scans every 6 s and restores of 12 s keep the restores moving.
  const sb = await startSandbox({
    clockSpeed: 10,
    sourceServer: false,
    timings: { migrationProvisionSeconds: 2, scanIntervalSeconds: 60, restoreBaseSeconds: 120 },
    profile: {
      managedInstances: names.map((name) => ({ resourceGroup: 'rg-sqlmig-sandbox', name, identity: true })),
      storageAccounts: [{ resourceGroup: 'rg-sqlmig-sandbox', name: 'sqlmigsandbox', containers: ['bench'] }],
    },
  });
  try {
    const { info } = sb;
    const cloud = await loadCloudFile(info.cloudFile);
    const lrs = new LrsClient({ cloud, credential: staticTokenCredential(info.accessToken) }, { pollIntervalMs: 100 });
    const account = sb.azurite.accounts[0]!;
    const container = BlobServiceClient.fromConnectionString(sb.azurite.connectionString(account.name)).getContainerClient('bench');
    const sas = containerSasWithKey({ blobEndpoint: info.blobEndpoint, accountName: account.name, container: 'bench', expiresOn: new Date(Date.now() + 86_400_000), accountKey: account.key1 });
    const instances: InstanceRef[] = names.map((managedInstance) => ({ subscriptionId: info.subscriptionId, resourceGroup: 'rg-sqlmig-sandbox', managedInstance }));
    const dbNames = Array.from({ length: count }, (_, i) => `Db${String(i).padStart(4, '0')}`);
    const t = Date.now();
    const ids = await mapBounded(dbNames, 16, async (name, i) => {
      for (const f of sampleChain({ databaseName: name, logs: 3, pages: 1, vlf: 30 + i })) await container.getBlockBlobClient(`${name}/${f.fileName}`).uploadData(f.bytes);
      const ref = { ...instances[i % instances.length]!, targetDatabase: name };
      await lrs.startRestore(ref, { location: 'eastus', collation: 'SQL_Latin1_General_CP1_CI_AS', storageContainerUri: `${info.blobEndpoint}bench/${name}`, identity: 'SharedAccessSignature', sasToken: sas });
      return managedDatabaseIdOf(ref);
    });
    process.stdout.write(`setup: ${count} Log Replay Service restores on ${instanceCount} managed instances started in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);

    const results = await runChild({ cloudFile: info.cloudFile, instances, restores: ids, watched, sweep, refreshes, concurrency });
    for (const r of results) if (r.seen !== count) throw new Error(`${r.method} saw ${r.seen} restores, not ${count}`);
    const of = (m: Measured['method']) => results.filter((r) => r.method === m);
    const req = (rs: Measured[]) => median(rs.map((r) => r.requests));
    const ms = (rs: Measured[]) => median(rs.map((r) => r.ms));
    const base = of('baseline');
    const ours = of('monitor');
    const swept = of('monitor+sweep');
    const pages = median(ours.map((r) => r.pages));
    const pad = (n: number) => String(n).padStart(5);
    process.stdout.write(`\nbench/monitor --lrs: ${count} LRS restores on ${instanceCount} managed instances (sandbox on loopback, pages of 100), ${watched} watched, ${concurrency} calls at once, median of ${refreshes} refreshes each\n`);
    process.stdout.write(`  baseline: restoreDetails GET per database       ${pad(req(base))} requests/refresh   ${ms(base).toFixed(0).padStart(6)} ms/refresh\n`);
    process.stdout.write(`  LrsMonitor.refresh                             ${pad(req(ours))} requests/refresh   ${ms(ours).toFixed(0).padStart(6)} ms/refresh   (${instanceCount} lists = ${pages} pages, + ${watched} restoreDetails)\n`);
    process.stdout.write(`  LrsMonitor.refresh, sweep ${String(sweep).padEnd(3)}                 ${pad(req(swept))} requests/refresh   ${ms(swept).toFixed(0).padStart(6)} ms/refresh   (+ ${sweep} unwatched restores' details, each read every ${Math.ceil((count - watched) / Math.max(1, sweep))} refreshes)\n`);
    process.stdout.write(`  ratio to baseline: requests ${(req(ours) / req(base)).toFixed(3)} (with the sweep ${(req(swept) / req(base)).toFixed(3)}), wall time ${(ms(ours) / ms(base)).toFixed(3)} (${(ms(swept) / ms(base)).toFixed(3)})\n`);
    process.stdout.write(
      `  floor the API allows: there is no list of restore details, so a view of every restore's files costs one restoreDetails per database (${count}); ` +
        `the instance lists (${pages} pages) give every restore's existence and Restoring/Online, so the floor for a list view is ${pages} + one per watched restore (${watched}) = ${pages + watched}: ${req(ours) === pages + watched ? 'met' : `NOT met (${req(ours)})`}\n`,
    );
  } finally {
    await sb.stop();
  }
}

function runChild(plan: Plan): Promise<Measured[]> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [process.argv[1]!, '--lrs', '--child'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.once('error', reject);
    c.once('exit', (code) => (code === 0 ? resolve(out.trim().split('\n').map((l) => JSON.parse(l) as Measured)) : reject(new Error(`the measuring process exited with ${code}`))));
    c.stdin.end(JSON.stringify(plan));
  });
}
