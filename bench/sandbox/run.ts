/**
 * bench/sandbox: the ARM emulator with 500 migrations in flight (each restoring from its own
 * container in Azurite on the simulated clock while the load runs). A client in a separate
 * process measures, one after the other:
 *   - baseline: GET of the subscription (the cheapest authenticated ARM route), the floor;
 *   - GET of a migration with $expand=MigrationStatusDetails, round-robin over all 500;
 *   - listMigrations (first page of 100).
 * It prints p50/p95/p99 latency and requests/s, each with its ratio to the baseline.
 *
 *   npm run bench:sandbox [-- --migrations 500 --seconds 5 --concurrency 8]
 *
 * Target: p95 < 20 ms on loopback for the GET with details and for listMigrations.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { sampleChain } from '../../sandbox/backups/sampleChain';
import { startSandbox } from '../../sandbox/sandbox';
import { mapBounded } from '../../src/core/backup';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { Phase, PhaseResult, Plan } from './client';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!(v > 0)) throw new Error(`--${name} must be a positive number`);
  return v;
}

const API = 'api-version=2025-09-01-preview';

async function main(): Promise<void> {
  const migrations = arg('migrations', 500);
  const seconds = arg('seconds', 5);
  const concurrency = arg('concurrency', 8);
  // Ten simulated seconds per real second: containers are scanned every 6 s, each restore takes 12 s,
  // so the log backups are still restoring while the load runs.
  // The emulator's own speed: ARM's read limit would turn most of this load into 429s.
  const sb = await startSandbox({
    armReadLimit: false,
    clockSpeed: 10,
    timings: { migrationProvisionSeconds: 2, scanIntervalSeconds: 60, restoreBaseSeconds: 120 },
  });
  try {
    const { info } = sb;
    const account = sb.azurite.accounts[0]!;
    const blobs = new BlobServiceClient(info.blobEndpoint.replace(/\/$/, ''), new StorageSharedKeyCredential(account.name, account.key1));
    const auth = { authorization: `Bearer ${info.accessToken}`, 'content-type': 'application/json' };
    const names = Array.from({ length: migrations }, (_, i) => `Db${String(i).padStart(4, '0')}`);
    let t = Date.now();
    await mapBounded(names, 16, async (name, i) => {
      const container = blobs.getContainerClient(name.toLowerCase());
      await container.create();
      for (const f of sampleChain({ databaseName: name, logs: 3, pages: 1, vlf: 30 + i })) await container.getBlockBlobClient(f.fileName).uploadData(f.bytes);
    });
    process.stdout.write(`setup: ${migrations} containers with 4 backups each uploaded in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
    t = Date.now();
    const paths = await mapBounded(names, 16, async (name) => {
      const path = `${info.managedInstanceId}/providers/Microsoft.DataMigration/databaseMigrations/${name}`;
      const body = {
        properties: {
          kind: 'SqlMi',
          scope: info.managedInstanceId,
          migrationService: info.migrationServiceId,
          sourceDatabaseName: name,
          backupConfiguration: { sourceLocation: { azureBlob: { authType: 'AccountKey', storageAccountResourceId: info.storageAccountId, accountKey: account.key1, blobContainerName: name.toLowerCase() } } },
        },
      };
      const r = await fetch(`${info.armEndpoint}${path}?${API}`, { method: 'PUT', headers: auth, body: JSON.stringify(body) });
      if (r.status !== 201) throw new Error(`PUT ${name}: ${r.status} ${await r.text()}`);
      return `${path}?${API}&$expand=MigrationStatusDetails`;
    });
    // Wait until every migration has read its backups and most have restored something.
    for (;;) {
      const r = await fetch(`${info.armEndpoint}${paths[paths.length - 1]}`, { headers: auth });
      const p = ((await r.json()) as { properties: { migrationStatusDetails?: { isFullBackupRestored: boolean } } }).properties;
      if (p.migrationStatusDetails?.isFullBackupRestored) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    process.stdout.write(`setup: ${migrations} migrations started and restoring after ${((Date.now() - t) / 1000).toFixed(1)} s\n`);

    const phases: Phase[] = [
      { name: 'baseline: GET subscription', paths: [`/subscriptions/${info.subscriptionId}?api-version=2022-12-01`], seconds },
      { name: 'GET migration $expand=MigrationStatusDetails', paths, seconds },
      { name: 'GET listMigrations (page of 100)', paths: [`${info.migrationServiceId}/listMigrations?${API}`], seconds },
    ];
    const plan: Plan = { baseUrl: info.armEndpoint, token: info.accessToken, concurrency, phases };
    const results = await runClient(plan);
    const states = new Map<string, number>();
    for (const m of await listStates(info.armEndpoint, info.migrationServiceId, auth)) states.set(m, (states.get(m) ?? 0) + 1);
    const base = results[0]!;
    const rps = (r: PhaseResult) => r.requests / r.seconds;
    process.stdout.write(`\n${migrations} migrations in flight (${[...states].map(([s, n]) => `${n} ${s}`).join(', ')}); client: separate process, ${concurrency} keep-alive connections, ${seconds} s per phase\n\n`);
    process.stdout.write(`${'phase'.padEnd(46)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'req/s'.padStart(8)} ${'bytes'.padStart(8)}  ratio to baseline (p95, req/s)\n`);
    for (const r of results) {
      process.stdout.write(
        `${r.name.padEnd(46)} ${r.p50.toFixed(2).padStart(8)} ${r.p95.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${rps(r).toFixed(0).padStart(8)} ${String(r.bytesPerAnswer).padStart(8)}  ` +
          `${(r.p95 / base.p95).toFixed(2)}x, ${(rps(r) / rps(base)).toFixed(2)}x${r.errors ? `  (${r.errors} errors)` : ''}\n`,
      );
    }
    const worst = Math.max(results[1]!.p95, results[2]!.p95);
    process.stdout.write(`\ntarget p95 < 20 ms: ${worst < 20 ? 'met' : 'NOT met'} (worst p95 ${worst.toFixed(2)} ms)\n`);
  } finally {
    await sb.stop();
  }
}

async function listStates(armEndpoint: string, serviceId: string, headers: Record<string, string>): Promise<string[]> {
  const states: string[] = [];
  let url: string | undefined = `${armEndpoint}${serviceId}/listMigrations?${API}`;
  while (url) {
    const page = (await (await fetch(url, { headers })).json()) as { value: { properties: { migrationStatus: string } }[]; nextLink?: string };
    states.push(...page.value.map((m) => m.properties.migrationStatus));
    url = page.nextLink;
  }
  return states;
}

function runClient(plan: Plan): Promise<PhaseResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'sandbox-client.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`the load client exited with ${code}`));
      resolve(out.trim().split('\n').map((l) => JSON.parse(l) as PhaseResult));
    });
    child.stdin.end(JSON.stringify(plan));
  });
}

main().catch((e) => {
  process.stderr.write(`bench:sandbox failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
