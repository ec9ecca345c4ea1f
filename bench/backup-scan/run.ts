/**
 * bench/backup-scan: scans 10,000 generated backup files and compares with reading the very same
 * byte ranges using plain `fs` reads in the same run (the floor any header reader sits on).
 * Then the same workload written compressed (MSSQLBAK containers, as BACKUP ... WITH COMPRESSION
 * writes them), scanned the same way, and its cost per file against the uncompressed scan.
 *
 *   npm run bench:backup-scan [-- --files 10000 --rounds 3]
 *
 * Targets: >= 3,000 files/s, ratio to plain reads <= 2, peak memory < 150 MB; compressed:
 * >= 2,000 files/s, peak memory < 150 MB.
 * Timing and memory run in child processes, so the peak RSS is the scan's own.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { FileSource, listFiles, mapBounded, readBackup, type ByteSource } from '../../src/core/backup';
import { scanPaths } from '../../src/core/backup/scan';
import { writeCompressedContainer } from '../../sandbox/backups/compressedContainer';
import { sampleChain } from '../../sandbox/backups/sampleChain';

const CONCURRENCY = 32;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Writes the workload into `dir`, and the same files compressed into `compressedDir`. */
async function generate(dir: string, compressedDir: string, count: number): Promise<void> {
  let written = 0;
  for (let db = 0; written < count; db++) {
    const name = `db${String(db).padStart(4, '0')}`;
    await mkdir(join(dir, name), { recursive: true });
    await mkdir(join(compressedDir, name), { recursive: true });
    const chain = sampleChain({ databaseName: `Db${db}`, logs: 9, differentialAfterLog: 5, pages: 1, vlf: 30 + (db % 1000) });
    for (const f of chain.slice(0, count - written)) {
      await writeFile(join(dir, name, f.fileName), f.bytes);
      await writeFile(join(compressedDir, name, f.fileName), writeCompressedContainer(f.bytes));
      written++;
    }
  }
}

/** Wraps a source and records every range asked for. */
class Recorder implements ByteSource {
  ranges: [number, number][] = [];
  constructor(private readonly inner: FileSource) {}
  get name() { return this.inner.name; }
  size() { return this.inner.size(); }
  read(offset: number, length: number) {
    this.ranges.push([offset, length]);
    return this.inner.read(offset, length);
  }
  close() { return this.inner.close(); }
}

async function plainReads(files: string[], ranges: [number, number][][]): Promise<number> {
  let bytes = 0;
  await mapBounded(files, CONCURRENCY, async (path, i) => {
    const fh = await open(path, 'r');
    await fh.stat(); // the reader needs the size too
    for (const [offset, length] of ranges[i]!) {
      const buf = Buffer.allocUnsafe(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      bytes += bytesRead;
    }
    await fh.close();
  });
  return bytes;
}

/** Timing: plain reads of the recorded ranges and the scan, alternating, median of `rounds`. */
async function measureTime(dir: string, rounds: number): Promise<void> {
  const files = await listFiles([dir]);
  // Learn the exact ranges the reader asks for, file by file (also warms the page cache).
  const ranges: [number, number][][] = [];
  for (const path of files) {
    const rec = new Recorder(await FileSource.open(path));
    await readBackup(rec);
    await rec.close();
    ranges.push(rec.ranges);
  }
  const scanTimes: number[] = [];
  const plainTimes: number[] = [];
  let verdicts = '';
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    await plainReads(files, ranges);
    plainTimes.push(performance.now() - t);
    t = performance.now();
    const readings = await scanPaths([dir], { concurrency: CONCURRENCY });
    scanTimes.push(performance.now() - t);
    const counts: Record<string, number> = {};
    for (const x of readings) counts[x.verdict] = (counts[x.verdict] ?? 0) + 1;
    verdicts = JSON.stringify(counts);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  process.stdout.write(JSON.stringify({
    files: files.length,
    scanMs: median(scanTimes),
    plainMs: median(plainTimes),
    readsPerFile: ranges.reduce((n, r) => n + r.length, 0) / files.length,
    bytesPerFile: ranges.reduce((n, rs) => n + rs.reduce((m, [, l]) => m + l, 0), 0) / files.length,
    verdicts,
  }));
}

/** Memory: a process that only scans (and keeps every reading, as the CLI does) reports its peak RSS. */
async function measureMemory(dir: string): Promise<void> {
  const readings = await scanPaths([dir], { concurrency: CONCURRENCY });
  process.stdout.write(JSON.stringify({ files: readings.length, peakRssMb: (process.resourceUsage().maxRSS * 1024) / 1048576 }));
}

interface Figures {
  files: number;
  scanMs: number;
  plainMs: number;
  readsPerFile: number;
  bytesPerFile: number;
  verdicts: string;
  peakRssMb: number;
}

function child(mode: string, dir: string): Partial<Figures> {
  const r = spawnSync(process.execPath, [__filename, mode, dir, '--rounds', String(arg('rounds', 3))], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--measure-time') return measureTime(process.argv[3]!, arg('rounds', 3));
  if (process.argv[2] === '--measure-memory') return measureMemory(process.argv[3]!);
  const count = arg('files', 10_000);
  const dir = mkdtempSync(join(tmpdir(), 'sqlmig-bench-scan-'));
  const compressedDir = mkdtempSync(join(tmpdir(), 'sqlmig-bench-scan-compressed-'));
  try {
    const t = performance.now();
    await generate(dir, compressedDir, count);
    console.log(`generated ${count} backup files, and each again compressed, in ${((performance.now() - t) / 1000).toFixed(1)} s (${dir}, ${compressedDir})`);
    const m = { ...child('--measure-time', dir), ...child('--measure-memory', dir) } as Figures;
    const filesPerSec = m.files / (m.scanMs / 1000);
    const ratio = m.scanMs / m.plainMs;
    console.log(`machine: ${cpus().length} cores, node ${process.version}; concurrency ${CONCURRENCY}; median of ${arg('rounds', 3)} rounds`);
    console.log(`reader asks for ${m.readsPerFile.toFixed(2)} ranges, ${(m.bytesPerFile / 1024).toFixed(1)} KiB per file; verdicts ${m.verdicts}`);
    console.log(`scan:        ${m.scanMs.toFixed(0)} ms  = ${filesPerSec.toFixed(0)} files/s   (target >= 3000)`);
    console.log(`plain reads: ${m.plainMs.toFixed(0)} ms  = ${(m.files / (m.plainMs / 1000)).toFixed(0)} files/s (same ranges, fs.promises)`);
    console.log(`ratio scan / plain reads: ${ratio.toFixed(2)}                 (target <= 2)`);
    console.log(`peak RSS of a process that scans them all: ${m.peakRssMb.toFixed(0)} MB (target < 150)`);

    const c = { ...child('--measure-time', compressedDir), ...child('--measure-memory', compressedDir) } as Figures;
    const compressedPerSec = c.files / (c.scanMs / 1000);
    const costRatio = c.scanMs / c.files / (m.scanMs / m.files);
    console.log('compressed: the same files written WITH COMPRESSION (MSSQLBAK containers of LZ77+Huffman records)');
    console.log(`  reader asks for ${c.readsPerFile.toFixed(2)} ranges, ${(c.bytesPerFile / 1024).toFixed(1)} KiB per file; verdicts ${c.verdicts}`);
    console.log(`  scan:        ${c.scanMs.toFixed(0)} ms  = ${compressedPerSec.toFixed(0)} files/s   (target >= 2000)`);
    console.log(`  plain reads: ${c.plainMs.toFixed(0)} ms  = ${(c.files / (c.plainMs / 1000)).toFixed(0)} files/s (same ranges, fs.promises)`);
    console.log(`  cost per file vs the uncompressed scan: ${costRatio.toFixed(2)}x`);
    console.log(`  peak RSS of a process that scans them all: ${c.peakRssMb.toFixed(0)} MB (target < 150)`);

    const ok = filesPerSec >= 3000 && ratio <= 2 && m.peakRssMb < 150 && compressedPerSec >= 2000 && c.peakRssMb < 150;
    console.log(ok ? 'all targets met' : 'TARGETS MISSED');
    process.exitCode = ok ? 0 : 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(compressedDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
