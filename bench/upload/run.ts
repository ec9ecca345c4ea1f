/**
 * bench/upload: uploads the same backup-sized files to Azurite on loopback with our verified,
 * resumable block upload and with @azure/storage-blob's `uploadFile` (the baseline), alternating,
 * in the same run, and prints throughput as a ratio to the baseline, each one's peak memory, and
 * where the time goes (CPU seconds of the uploading process and of Azurite per GiB).
 *
 *   npm run bench:upload [-- --scenario small|large|both --rounds 3 --block-mib 8 --concurrency 4]
 *
 * Two scenarios, because uploadFile takes two paths:
 *   small: 3 files x 48 MiB  - under 256 MiB, uploadFile sends each file in one request;
 *   large: 2 files x 320 MiB - over 256 MiB, uploadFile stages blocks in parallel.
 * Ours always stages blocks, each with its MD5 checked by the service, ids derived from it.
 *
 * Target: ratio >= 1.0. Each measurement runs in its own child process (its peak RSS is its own)
 * against a fresh Azurite, so neither method inherits the blobs the other left (Azurite's cost
 * per request grows with what it holds).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite } from '../../sandbox/azurite';
import { DEFAULT_BLOCK_SIZE, DEFAULT_CONCURRENCY, uploadFileAsBlocks } from '../../src/core/upload';

const MIB = 1024 * 1024;
const SCENARIOS = {
  small: { files: 3, mib: 48, path: 'uploadFile: one request per file' },
  large: { files: 2, mib: 320, path: 'uploadFile: blocks in parallel' },
} as const;
type Scenario = keyof typeof SCENARIOS;

function argText(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function arg(name: string, fallback: number): number {
  const v = argText(name);
  return v === undefined ? fallback : Number(v);
}

const blockMib = arg('block-mib', DEFAULT_BLOCK_SIZE / MIB);
const concurrency = arg('concurrency', DEFAULT_CONCURRENCY);

/** Child: upload every file in --dir with one method; print {seconds, bytes, peakRssMiB, cpuSeconds}. */
async function child(method: string): Promise<void> {
  const dir = argText('dir')!;
  const container = BlobServiceClient.fromConnectionString(process.env.BENCH_CONN!).getContainerClient('bench');
  await container.createIfNotExists();
  const blockSize = blockMib * MIB;
  const files = (await readdir(dir)).sort();
  let bytes = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const f of files) {
    const blob = container.getBlockBlobClient(f);
    if (method === 'ours') bytes += (await uploadFileAsBlocks(join(dir, f), blob, { blockSize, concurrency })).size;
    else {
      await blob.uploadFile(join(dir, f), { blockSize, concurrency });
      bytes += (await blob.getProperties()).contentLength ?? 0;
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(JSON.stringify({ seconds, bytes, peakRssMiB: peakRssMiB(), cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
}

/**
 * This process's own peak RSS (VmHWM). Not resourceUsage().maxRSS: Linux carries that over from
 * the parent across fork and exec, so a child would report at least its parent's size.
 */
function peakRssMiB(): number {
  const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return kib ? Number(kib[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

/** Random content, written a few MiB at a time (the parent stays small while its children run). */
function writeRandomFile(path: string, mib: number): void {
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i < mib; i += 4) writeSync(fd, randomBytes(Math.min(4, mib - i) * MIB));
  } finally {
    closeSync(fd);
  }
}

/** CPU seconds a process has used (user + system), from /proc. */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Run {
  seconds: number;
  bytes: number;
  peakRssMiB: number;
  cpuSeconds: number;
  azuriteCpuSeconds: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(method: string, dir: string, work: string): Promise<Run> {
  const location = mkdtempSync(join(work, 'azurite-'));
  const azurite = await startAzurite({ accounts: [{ name: 'bench' }], location });
  try {
    const before = cpuSecondsOf(azurite.pid);
    const out = spawnSync(process.execPath, [process.argv[1]!, ...process.argv.slice(2), '--child', method, '--dir', dir], {
      env: { ...process.env, BENCH_CONN: azurite.connectionString('bench') },
      encoding: 'utf8',
    });
    if (out.status !== 0) throw new Error(`${method} failed: ${out.stderr}`);
    return { ...JSON.parse(out.stdout), azuriteCpuSeconds: cpuSecondsOf(azurite.pid) - before };
  } finally {
    await azurite.stop();
    rmSync(location, { recursive: true, force: true });
  }
}

async function scenario(name: Scenario, rounds: number, work: string): Promise<number> {
  const { files, mib, path } = SCENARIOS[name];
  const dir = join(work, name);
  mkdirSync(dir);
  for (let i = 0; i < files; i++) writeRandomFile(join(dir, `Bench_${i}.bak`), mib);
  const results: Record<string, Run[]> = { baseline: [], ours: [] };
  for (let r = 0; r < rounds; r++) {
    for (const m of r % 2 === 0 ? ['baseline', 'ours'] : ['ours', 'baseline']) results[m]!.push(await measure(m, dir, work));
  }
  rmSync(dir, { recursive: true, force: true });
  const rate = (runs: Run[]) => median(runs.map((x) => x.bytes / MIB / x.seconds));
  const perGib = (runs: Run[], f: (x: Run) => number) => median(runs.map((x) => f(x) / (x.bytes / 1024 / MIB))).toFixed(2);
  const line = (label: string, runs: Run[], note = '') =>
    `  ${label.padEnd(31)} ${rate(runs).toFixed(1).padStart(6)} MiB/s   peak RSS ${median(runs.map((x) => x.peakRssMiB)).toFixed(0).padStart(3)} MiB   ` +
    `CPU per GiB: uploader ${perGib(runs, (x) => x.cpuSeconds)} s, Azurite ${perGib(runs, (x) => x.azuriteCpuSeconds)} s${note}`;
  const ratio = rate(results.ours!) / rate(results.baseline!);
  console.log(`\n${name}: ${files} files x ${mib} MiB (${path}); block ${blockMib} MiB, concurrency ${concurrency}, median of ${rounds} rounds`);
  console.log(line('@azure/storage-blob uploadFile', results.baseline!));
  console.log(line('sqlmig uploadFileAsBlocks', results.ours!, '   (each block MD5-checked by the service)'));
  console.log(`  ratio (ours / uploadFile): ${ratio.toFixed(2)}  (target >= 1.0)`);
  return ratio;
}

async function main(): Promise<void> {
  const method = argText('child');
  if (method) return child(method);
  const which = argText('scenario') ?? 'both';
  const names: Scenario[] = which === 'both' ? ['small', 'large'] : [which as Scenario];
  if (!names.every((n) => n in SCENARIOS)) throw new Error('--scenario must be small, large or both');
  const rounds = arg('rounds', 3);
  const work = mkdtempSync(join(tmpdir(), 'sqlmig-bench-upload-'));
  console.log('bench/upload: to Azurite on loopback, a fresh Azurite for every measurement');
  try {
    for (const n of names) await scenario(n, rounds, work);
    console.log('\nAzurite computes the MD5 of everything it receives (a blob or a block), asked or not, and is the busiest process;' +
      '\nsqlmig\'s uploader CPU includes hashing every block (MD5) on a worker thread while earlier blocks are sent.');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
