import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BlockReader, type HashedBlock } from '../../../src/core/upload/blockReader';
import { tempDir } from '../../support/tmp';

const dir = tempDir();
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

async function readAll(reader: BlockReader, keep = false): Promise<{ blocks: HashedBlock[]; copies: Buffer[] }> {
  const blocks: HashedBlock[] = [];
  const copies: Buffer[] = [];
  for (let b = await reader.next(); b; b = await reader.next()) {
    blocks.push(b);
    copies.push(Buffer.from(b.bytes)); // the slot is reused once released
    if (!keep) reader.release(b);
  }
  return { blocks, copies };
}

test('blocks come in order with their MD5s, read ahead into a few slots that are reused', async () => {
  const bytes = randomBytes(10 * 1000 + 7);
  const file = join(dir, 'ten.bak');
  writeFileSync(file, bytes);
  const reader = new BlockReader(file, bytes.length, 1000, 3);
  const { blocks, copies } = await readAll(reader);
  reader.close(true);
  assert.deepEqual(blocks.map((b) => b.index), [...Array(11).keys()]);
  assert.deepEqual(blocks.map((b) => b.size), [...Array(10).fill(1000), 7]);
  assert.ok(new Set(blocks.map((b) => b.slot)).size <= 3, 'no more than three slots');
  assert.deepEqual(Buffer.concat(copies), bytes);
  for (let i = 0; i < copies.length; i++) assert.equal(blocks[i]!.md5, md5(copies[i]!));
});

test('a reader taking over the last one\'s memory sees only its own file', async () => {
  const a = randomBytes(4096);
  const b = randomBytes(4096);
  writeFileSync(join(dir, 'a.bak'), a);
  writeFileSync(join(dir, 'b.bak'), b);
  for (let round = 0; round < 5; round++) {
    for (const [name, bytes] of [['a.bak', a], ['b.bak', b]] as const) {
      const reader = new BlockReader(join(dir, name), bytes.length, 512, 2);
      const { copies } = await readAll(reader);
      reader.close(true);
      assert.deepEqual(Buffer.concat(copies), bytes, `${name}, round ${round}`);
    }
  }
});

test('a file that shrank gives a short block; a missing file is a clear error; an empty file has no blocks', async () => {
  const file = join(dir, 'shrinking.bak');
  writeFileSync(file, randomBytes(3000));
  truncateSync(file, 2500);
  const reader = new BlockReader(file, 3000, 1000, 4);
  const { blocks } = await readAll(reader);
  reader.close();
  assert.deepEqual(blocks.map((b) => b.size), [1000, 1000, 500]);

  const missing = new BlockReader(join(dir, 'nope.bak'), 10, 1000, 2);
  await assert.rejects(missing.next(), /cannot read .*nope\.bak: ENOENT/);
  missing.close();

  writeFileSync(join(dir, 'empty.bak'), '');
  const empty = new BlockReader(join(dir, 'empty.bak'), 0, 1000, 2);
  assert.equal(await empty.next(), undefined);
  empty.close();
});

test('closing while a block is awaited rejects the wait', async () => {
  const file = join(dir, 'big.bak');
  writeFileSync(file, randomBytes(64 * 1024));
  const reader = new BlockReader(file, 64 * 1024, 1024, 1);
  const first = await reader.next(); // never released: the only slot stays taken
  assert.equal(first?.index, 0);
  const second = reader.next();
  reader.close();
  await assert.rejects(second, /closed/);
});
