import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blockId, blockSizeFor, DEFAULT_BLOCK_SIZE, MAX_BLOCKS } from '../../../src/core/upload';

test('block ids: same length for every block, derived from index and content', () => {
  const a = blockId(0, 'd41d8cd98f00b204e9800998ecf8427e');
  const b = blockId(49_999, 'ffffffffffffffffffffffffffffffff');
  assert.equal(a.length, b.length);
  assert.ok(Buffer.from(a, 'base64').length <= 64, 'Azure allows 64 bytes before encoding');
  assert.notEqual(blockId(1, 'd41d8cd98f00b204e9800998ecf8427e'), a, 'the index is part of the id');
  assert.equal(blockId(0, 'd41d8cd98f00b204e9800998ecf8427e'), a, 'deterministic');
});

test('block size grows only when a file would need more than 50,000 blocks', () => {
  assert.equal(blockSizeFor(1), DEFAULT_BLOCK_SIZE);
  assert.equal(blockSizeFor(100 * 1024 ** 3), DEFAULT_BLOCK_SIZE);
  const huge = 4 * 1024 ** 4; // 4 TiB
  const size = blockSizeFor(huge);
  assert.ok(Math.ceil(huge / size) <= MAX_BLOCKS);
  assert.equal(size % (1024 * 1024), 0);
  assert.equal(blockSizeFor(10 * 1024 ** 2, 64 * 1024), 64 * 1024);
});
