/**
 * bench/upload: uploads the same backup-sized files to Azurite on loopback with our verified,
 * resumable block upload and with @azure/storage-blob's `uploadFile` (the baseline), alternating,
 * in the same run, and prints throughput as a ratio to the baseline plus each one's peak memory.
 *
 *   npm run bench:upload [-- --files 3 --mib 48 --rounds 3 --block-mib 8 --concurrency 4]
 *
 * Target: ratio >= 1.0. Each measurement runs in its own child process, so its peak RSS is its own.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite } from '../../sandbox/azurite';
import { uploadFileAsBlocks } from '../../src/core/upload';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

function argText(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** Child: upload every file in --dir with one method, print {seconds, bytes, peakRssMiB}. */
async function child(method: string): Promise<void> {
  const dir = argText('dir')!;
  const container = BlobServiceClient.fromConnectionString(process.env.BENCH_CONN!).getContainerClient('bench');
  await container.createIfNotExists();
  const blockSize = arg('block-mib', 8) * 1024 * 1024;
  const concurrency = arg('concurrency', 4);
  const tag = argText('tag')!;
  const files = (await readdir(dir)).sort();
  let bytes = 0;
  const t0 = process.hrtime.bigint();
  for (const f of files) {
    const blob = container.getBlockBlobClient(`${tag}/${f}`);
    if (method === 'ours') bytes += (await uploadFileAsBlocks(join(dir, f), blob, { blockSize, concurrency })).size;
    else {
      await blob.uploadFile(join(dir, f), { blockSize, concurrency });
      bytes += (await blob.getProperties()).contentLength ?? 0;
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ seconds, bytes, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
}

interface Run {
  seconds: number;
  bytes: number;
  peakRssMiB: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const method = argText('child');
  if (method) return child(method);

  const files = arg('files', 3);
  const mib = arg('mib', 48);
  const rounds = arg('rounds', 3);
  const work = mkdtempSync(join(tmpdir(), 'sqlmig-bench-upload-'));
  const dir = join(work, 'files');
  spawnSync('mkdir', ['-p', dir]);
  for (let i = 0; i < files; i++) writeFileSync(join(dir, `Bench_${i}.bak`), randomBytes(mib * 1024 * 1024));
  const azurite = await startAzurite({ accounts: [{ name: 'bench' }], location: join(work, 'azurite') });
  try {
    const results: Record<string, Run[]> = { baseline: [], ours: [] };
    for (let r = 0; r < rounds; r++) {
      for (const m of r % 2 === 0 ? ['baseline', 'ours'] : ['ours', 'baseline']) {
        const out = spawnSync(process.execPath, [process.argv[1]!, ...process.argv.slice(2), '--child', m, '--dir', dir, '--tag', `${m}-${r}`], {
          env: { ...process.env, BENCH_CONN: azurite.connectionString('bench') },
          encoding: 'utf8',
        });
        if (out.status !== 0) throw new Error(`${m} failed: ${out.stderr}`);
        results[m]!.push(JSON.parse(out.stdout));
      }
    }
    const rate = (runs: Run[]) => median(runs.map((x) => x.bytes / 1024 / 1024 / x.seconds));
    const base = rate(results.baseline!);
    const ours = rate(results.ours!);
    console.log(`bench/upload: ${files} files x ${mib} MiB to Azurite on loopback, block ${arg('block-mib', 8)} MiB, concurrency ${arg('concurrency', 4)}, median of ${rounds} rounds`);
    console.log(`  @azure/storage-blob uploadFile  ${base.toFixed(1).padStart(7)} MiB/s   peak RSS ${median(results.baseline!.map((x) => x.peakRssMiB)).toFixed(0)} MiB`);
    console.log(`  sqlmig uploadFileAsBlocks       ${ours.toFixed(1).padStart(7)} MiB/s   peak RSS ${median(results.ours!.map((x) => x.peakRssMiB)).toFixed(0)} MiB   (block MD5s checked by the service, file MD5 set and verified, resumable)`);
    console.log(`  ratio (ours / uploadFile): ${(ours / base).toFixed(2)}  (target >= 1.0)`);
  } finally {
    await azurite.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
