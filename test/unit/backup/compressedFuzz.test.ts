/**
 * Fuzz for compressed backups: thousands of mutated MSSQLBAK containers (container header, record
 * headers, Huffman tables, bit streams, the index) and cuts at every record boundary. Whatever
 * the bytes, the reader returns a verdict: no exception escapes, no internal error, and the
 * offset of a truncated or corrupt file lies inside it. Seeded: a failure names its seed and
 * round, and COMPRESSED_FUZZ_SEED=<n> replays a run.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { BufferSource, readBackup, type BackupReading } from '../../../src/core/backup';
import { containerRecords, writeCompressedContainer, type ContainerRecord } from '../../../sandbox/backups/compressedContainer';
import { sampleChain } from '../../../sandbox/backups/sampleChain';
import { writeSyntheticBackup } from '../../../sandbox/backups/syntheticBackup';
import { real } from '../../support/realBackups';

const VERDICTS = new Set(['backup', 'stripe', 'not-a-backup', 'truncated', 'corrupt', 'compressed', 'multiple-backup-sets', 'unreadable']);
const TUTORIAL = real('compressed', 'TutorialDB.bak');
const tutorialOnly = existsSync(TUTORIAL)
  ? {}
  : { skip: `the real compressed backup is not at ${TUTORIAL} (it ships in ../shared/data/backups beside the project)` };
const SEED = Number(process.env.COMPRESSED_FUZZ_SEED ?? 0);

/** Mulberry32: a small seeded generator, so a failure can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Original {
  name: string;
  bytes: Uint8Array;
  records: ContainerRecord[];
}

function original(name: string, file: Uint8Array): Original {
  const bytes = new Uint8Array(file); // a plain copy: Buffer#slice would share memory
  const records = containerRecords(bytes);
  assert.equal(records.at(-1)?.end, bytes.length, `${name}: the records cover the file`);
  return { name, bytes, records };
}

function check(r: BackupReading, label: string, size: number): void {
  assert.ok(VERDICTS.has(r.verdict), `${label}: verdict ${r.verdict}`);
  assert.ok(!r.reason?.includes('internal error'), `${label}: ${r.reason}`);
  if (r.verdict === 'backup' || r.verdict === 'stripe' || r.verdict === 'multiple-backup-sets') assert.ok(r.header, `${label}: ${r.verdict} without a header`);
  if (r.verdict === 'truncated' || r.verdict === 'corrupt') {
    assert.ok(r.offset !== undefined && r.offset >= 0 && r.offset <= size, `${label}: offset ${r.offset} of ${size}`);
    assert.ok(r.reason, `${label}: no reason`);
  }
}

async function readChecked(bytes: Uint8Array, label: string, walk = false): Promise<BackupReading> {
  let r: BackupReading;
  try {
    r = await readBackup(new BufferSource(bytes, label), { walk });
  } catch (e) {
    assert.fail(`${label}: threw ${(e as Error).stack}`);
  }
  check(r, label, bytes.length);
  return r;
}

/** Mutations aimed at each part of the container; returns the verdicts seen. */
async function fuzz(originals: Original[], rounds: number, seed: number): Promise<Map<string, number>> {
  const random = rng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const seen = new Map<string, number>();
  for (let i = 0; i < rounds; i++) {
    const o = originals[int(originals.length)]!;
    const bytes = o.bytes.slice();
    // Mostly the records a reading decompresses (head and tail), sometimes any.
    const pool = random() < 0.75 ? [...o.records.slice(0, 5), ...o.records.slice(-5)] : o.records;
    const rec = pool[int(pool.length)]!;
    const flip = (from: number, to: number, n = 1 + int(3)) => {
      for (let k = 0; k < n && to > from; k++) bytes[from + int(to - from)]! ^= 1 << int(8);
    };
    let input: Uint8Array = bytes;
    let what: string;
    switch (int(7)) {
      case 0:
        // Half the time where it matters: the version words and the first record header.
        if (random() < 0.5) flip(0, 480 + 28);
        else if (random() < 0.5) flip(8, 16, 1);
        else flip(480, 480 + 28, 1);
        what = 'container header';
        break;
      case 1:
        flip(rec.at, Math.min(rec.end, rec.at + 28), 1);
        what = `${rec.kind} record header at ${rec.at}`;
        break;
      case 2: {
        const table = rec.kind === 'compressed' ? rec.at + 28 : rec.at;
        flip(table, Math.min(rec.end, table + 256));
        what = `Huffman table of the record at ${rec.at}`;
        break;
      }
      case 3:
        flip(Math.min(rec.end, rec.at + 28 + 256), rec.end, 1 + int(6));
        what = `bit stream of the record at ${rec.at}`;
        break;
      case 4: {
        const index = o.records.filter((r) => r.kind === 'index' || r.kind === 'pad');
        const target = index[int(index.length)] ?? rec;
        flip(target.at, target.end, 1 + int(4));
        what = `${target.kind} record at ${target.at}`;
        break;
      }
      case 5: {
        const at = rec.at + int(Math.max(1, rec.end - rec.at));
        input = bytes.subarray(0, at);
        what = `cut at ${at} (inside the ${rec.kind} record at ${rec.at})`;
        break;
      }
      default: {
        const v = [0, 0xff, 0x21, 0x24, 0x2c][int(5)]!;
        const at = rec.at + int(Math.min(28, rec.end - rec.at));
        bytes[at] = v;
        input = bytes.subarray(0, bytes.length - int(2048));
        what = `byte ${at} = ${v}, then cut`;
      }
    }
    const r = await readChecked(input, `${o.name} seed ${seed} round ${i} (${what})`);
    seen.set(r.verdict, (seen.get(r.verdict) ?? 0) + 1);
  }
  return seen;
}

/** Every record boundary, and one byte into each record: truncated, never anything else. */
async function cutEverywhere(o: Original): Promise<number> {
  let files = 0;
  for (const rec of o.records) {
    for (const cut of [rec.at, rec.at + 1]) {
      const r = await readChecked(o.bytes.subarray(0, cut), `${o.name} cut at ${cut}`);
      // Cut between two appended sets, a file holds one complete set.
      const between = r.verdict === 'backup' && o.name === 'appended.bak' && r.header?.position === 1;
      assert.ok(r.verdict === 'truncated' || between, `${o.name} cut at ${cut}: ${r.verdict} ${r.reason}`);
      files++;
    }
  }
  return files;
}

function syntheticOriginals(): Original[] {
  const chain = sampleChain({ databaseName: 'Fuzz', logs: 2, differentialAfterLog: 1, pages: 10 });
  const striped = sampleChain({ databaseName: 'Striped', logs: 1, stripes: 2 });
  return [
    ...chain.map((f) => original(f.fileName, writeCompressedContainer(f.bytes))),
    ...striped.slice(0, 2).map((f) => original(f.fileName, writeCompressedContainer(f.bytes))),
    original('appended.bak', writeCompressedContainer(writeSyntheticBackup([chain[0]!.spec, chain[1]!.spec]))),
  ];
}

describe('compressed backup fuzz', () => {
  test('2,400 mutations of synthetic compressed backups, and cuts at every record boundary', async () => {
    const started = performance.now();
    const originals = syntheticOriginals();
    let files = 0;
    for (const o of originals) files += await cutEverywhere(o);
    const seen = await fuzz(originals, 2400, SEED || 101);
    files += 2400;
    assert.ok(files >= 2000, `${files} files`);
    // The mutations must reach past the checks, not only bounce off them.
    for (const v of ['backup', 'truncated', 'corrupt', 'compressed']) assert.ok((seen.get(v) ?? 0) > 20, `${v}: ${JSON.stringify([...seen])}`);
    assert.ok(performance.now() - started < 15_000, `${performance.now() - started} ms`);
  });

  test('1,200 mutations of the real compressed backup, and cuts at every record boundary', tutorialOnly, async () => {
    const o = original('TutorialDB.bak', readFileSync(TUTORIAL));
    await cutEverywhere(o);
    const seen = await fuzz([o], 1200, SEED || 202);
    for (const v of ['backup', 'truncated', 'corrupt']) assert.ok((seen.get(v) ?? 0) > 20, `${v}: ${JSON.stringify([...seen])}`);
  });

  test('the block walk gives a verdict too (300 mutations)', async () => {
    const originals = syntheticOriginals();
    const random = rng(SEED || 303);
    for (let i = 0; i < 300; i++) {
      const o = originals[Math.floor(random() * originals.length)]!;
      const bytes = o.bytes.slice();
      const rec = o.records[Math.floor(random() * o.records.length)]!;
      bytes[rec.at + Math.floor(random() * (rec.end - rec.at))]! ^= 1 << Math.floor(random() * 8);
      await readChecked(bytes, `${o.name} walk round ${i}`, true);
    }
  });
});
