/**
 * Fuzz: thousands of random mutations and truncations of real (and synthetic) backup headers.
 * Whatever the bytes, the reader returns a verdict: no exception escapes, no internal error.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { BufferSource, listFiles, readBackup, type BackupReading } from '../../../src/core/backup';
import { sampleChain } from '../../../sandbox/backups/sampleChain';
import { HAVE_REAL_BACKUPS, REAL_BACKUPS, realOnly } from '../../support/realBackups';

const VERDICTS = new Set(['backup', 'stripe', 'not-a-backup', 'truncated', 'corrupt', 'compressed', 'multiple-backup-sets', 'unreadable']);

/** Mulberry32: a small seeded generator, so a failure can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Re-seals the MTF header checksum of the block or stream header that covers `at`, if any. */
function reseal(b: Uint8Array, at: number): void {
  const xor = (o: number, words: number) => {
    let x = 0;
    for (let k = 0; k < words; k++) x ^= b[o + 2 * k]! | (b[o + 2 * k + 1]! << 8);
    return x;
  };
  const blockStart = at & ~511;
  if (at - blockStart < 0x32 && blockStart + 0x34 <= b.length) {
    const x = xor(blockStart, 25);
    b[blockStart + 0x32] = x & 0xff;
    b[blockStart + 0x33] = x >> 8;
  }
}

function check(r: BackupReading, label: string, size: number): void {
  assert.ok(VERDICTS.has(r.verdict), `${label}: verdict ${r.verdict}`);
  assert.ok(!r.reason?.includes('internal error'), `${label}: ${r.reason}`);
  if (r.verdict === 'backup' || r.verdict === 'stripe') assert.ok(r.header, `${label}: ${r.verdict} without a header`);
  if (r.verdict === 'truncated' || r.verdict === 'corrupt') {
    assert.ok(r.offset !== undefined && r.offset >= 0 && r.offset <= size, `${label}: offset ${r.offset} of ${size}`);
  }
}

async function fuzz(originals: { name: string; bytes: Uint8Array }[], rounds: number, seed: number): Promise<Map<string, number>> {
  const random = rng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const seen = new Map<string, number>();
  for (let i = 0; i < rounds; i++) {
    const original = originals[int(originals.length)]!;
    const bytes = new Uint8Array(original.bytes); // a working copy
    const head = Math.min(bytes.length, 8192);
    const tailStart = Math.max(0, bytes.length - 16384);
    const region = () => (random() < 0.6 ? int(head) : tailStart + int(bytes.length - tailStart));
    let input: Uint8Array = bytes;
    const kind = int(5);
    let what = '';
    if (kind === 0) {
      const n = 1 + int(8);
      for (let k = 0; k < n; k++) bytes[region()] ^= 1 << int(8);
      what = `${n} bit flips`;
    } else if (kind === 1) {
      const at = region();
      for (let k = 0; k < 4 + int(60) && at + k < bytes.length; k++) bytes[at + k] = int(256);
      reseal(bytes, at);
      what = `random span at ${at}, resealed`;
    } else if (kind === 2) {
      const at = 0xe00 + int(0x1000);
      const v = [0, 0xff, 0x7f, 0x80][int(4)]!;
      for (let k = 0; k < 1 + int(8) && at + k < bytes.length; k++) bytes[at + k] = v;
      what = `metadata bytes at ${at} = ${v}`;
    } else if (kind === 3) {
      input = bytes.subarray(0, int(bytes.length));
      what = `truncated to ${input.length}`;
    } else {
      const at = region();
      bytes[at] ^= 1 << int(8);
      reseal(bytes, at);
      input = bytes.subarray(0, bytes.length - int(2048));
      what = `flip at ${at} and cut`;
    }
    const label = `${original.name} #${i} (${what})`;
    let r: BackupReading;
    try {
      r = await readBackup(new BufferSource(input, original.name));
    } catch (e) {
      assert.fail(`${label}: threw ${(e as Error).stack}`);
    }
    check(r, label, input.length);
    seen.set(r.verdict, (seen.get(r.verdict) ?? 0) + 1);
  }
  return seen;
}

describe('backup reader fuzz', () => {
  test('2,500 mutations of synthetic backups', async () => {
    const originals = [
      ...sampleChain({ databaseName: 'Fuzz', logs: 2, differentialAfterLog: 1 }),
      ...sampleChain({ databaseName: 'Striped', logs: 1, stripes: 2 }),
    ].map((f) => ({ name: f.fileName, bytes: f.bytes }));
    const seen = await fuzz(originals, 2500, 1);
    // The mutations must reach past the checksums, not only bounce off them.
    for (const v of ['backup', 'truncated', 'corrupt']) assert.ok((seen.get(v) ?? 0) > 20, `${v}: ${JSON.stringify([...seen])}`);
  });

  test('2,500 mutations of real backups', realOnly, async () => {
    const files = (await listFiles([REAL_BACKUPS])).filter((p) => !p.includes('compressed'));
    const originals = files.map((p) => ({ name: p.slice(REAL_BACKUPS.length + 1), bytes: readFileSync(p) }));
    assert.ok(HAVE_REAL_BACKUPS && originals.length > 0);
    const seen = await fuzz(originals, 2500, 2);
    for (const v of ['backup', 'truncated', 'corrupt']) assert.ok((seen.get(v) ?? 0) > 20, `${v}: ${JSON.stringify([...seen])}`);
  });
});
