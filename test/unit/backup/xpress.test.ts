import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decompressXpressHuffman, XpressError } from '../../../src/core/backup/xpress';
import { compressXpressHuffman } from '../../../sandbox/backups/xpressEncoder';

const hexBytes = (s: string) => Uint8Array.from(s.trim().split(/\s+/).map((h) => parseInt(h, 16)));

/** Mulberry32: seeded, so a failure can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function decode(input: Uint8Array, size: number, stopAfter?: number): Uint8Array {
  const out = new Uint8Array(size);
  const n = decompressXpressHuffman(input, out, stopAfter === undefined ? {} : { stopAfter });
  return out.subarray(0, n);
}

function roundTrip(data: Uint8Array, literalsOnly = false): Uint8Array {
  const packed = compressXpressHuffman(data, { literalsOnly });
  const back = decode(packed, data.length);
  assert.equal(back.length, data.length);
  assert.ok(Buffer.from(back).equals(Buffer.from(data)), 'round trip differs');
  return packed;
}

/** A block whose only codes are two symbols of one bit each (the lower symbol gets code 0). */
function twoSymbolTable(a: number, b: number): Uint8Array {
  const t = new Uint8Array(256);
  for (const s of [a, b]) t[s >> 1]! |= 1 << ((s & 1) * 4);
  return t;
}

const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('LZ77+Huffman decoder ([MS-XCA] 2.2)', () => {
  test("the specification's example (section 3.2) decodes to the stated output", () => {
    const table = new Uint8Array(256);
    table.set(hexBytes('50 55 55 55 55 55 55 55 55 55 55 45 44 04'), 0x30);
    table[0x80] = 0x04;
    const stream = concat(table, hexBytes('d8 52 3e d7 94 11 5b e9 19 5f f9 d6 7c df 8d 04 00 00 00 00'));
    assert.equal(Buffer.from(decode(stream, 26)).toString('latin1'), 'abcdefghijklmnopqrstuvwxyz');
  });

  test('round trips: empty, one byte, repetitive, random, 64 KiB and more (several blocks)', () => {
    const random = rng(7);
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['one byte', Uint8Array.of(42)],
      ['abc x 100', new TextEncoder().encode('abc'.repeat(100))],
      ['random 100 KB', Uint8Array.from({ length: 100_000 }, () => Math.floor(random() * 256))],
      ['zeros 300 KB', new Uint8Array(300_000)],
      ['exactly 64 KiB', new Uint8Array(65536).fill(0x5a)],
      ['64 KiB + 1', Uint8Array.from({ length: 65537 }, (_, i) => i % 251)],
      ['mixed 200 KB', Uint8Array.from({ length: 200_000 }, (_, i) => (i % 1000 < 500 ? Math.floor(random() * 256) : i % 7))],
    ];
    for (const [name, data] of cases) {
      for (const literalsOnly of [false, true]) {
        const packed = roundTrip(data, literalsOnly);
        if (name === 'zeros 300 KB' && !literalsOnly) assert.ok(packed.length < 3000, `${name}: ${packed.length} bytes`);
      }
    }
  });

  test('long matches use the one- and three-byte length forms', () => {
    // Runs of 18..300 and 65,538 bytes (the longest a match can be) between literals.
    const parts: number[] = [];
    for (const run of [3, 17, 18, 19, 272, 273, 274, 300, 65538]) {
      parts.push(1, 2, 3);
      for (let i = 0; i < run; i++) parts.push(9);
    }
    roundTrip(Uint8Array.from(parts));
  });

  test('stopAfter: only the first bytes are produced, and they are right', () => {
    const data = Uint8Array.from({ length: 150_000 }, (_, i) => (i * 7) % 253);
    const packed = compressXpressHuffman(data);
    for (const stop of [0, 1, 4096, 65536, 70000]) {
      const out = new Uint8Array(data.length);
      const n = decompressXpressHuffman(packed, out, { stopAfter: stop });
      assert.ok(n >= stop && n <= data.length, `${stop}: ${n}`);
      assert.ok(Buffer.from(out.subarray(0, n)).equals(Buffer.from(data.subarray(0, n))));
    }
  });

  test('a match may run past the end of a 64 KiB block; the next block starts where the reader stands', () => {
    // Block 1: 'A', then a match of 65,538 bytes at distance 1 (three-byte length form): 65,539 bytes.
    const block1 = concat(twoSymbolTable(0x41, 256 + 15), hexBytes('00 40 00 00 ff ff ff'));
    // Block 2: 'B'.
    const block2 = concat(twoSymbolTable(0x42, 256), hexBytes('00 00 00 00'));
    const out = decode(concat(block1, block2), 65540);
    assert.equal(out[0], 0x41);
    assert.equal(out[65538], 0x41);
    assert.equal(out[65539], 0x42);
  });

  describe('malformed input is an XpressError with its offset, never a hang', () => {
    const expectError = (input: Uint8Array, size: number, pattern: RegExp) => {
      assert.throws(
        () => decode(input, size),
        (e: unknown) => e instanceof XpressError && pattern.test(e.message) && e.inputOffset >= 0 && e.inputOffset <= input.length,
      );
    };

    test('invalid Huffman tables: empty, over-full, incomplete', () => {
      expectError(new Uint8Array(300), 10, /do not fill/);
      expectError(concat(new Uint8Array(256).fill(0x11), new Uint8Array(8)), 10, /overfill/);
      const incomplete = new Uint8Array(256);
      incomplete[0x21] = 0x22; // two symbols of two bits: half the code space
      expectError(concat(incomplete, new Uint8Array(8)), 10, /do not fill/);
    });

    test('a match that reaches before the start of the output', () => {
      expectError(concat(twoSymbolTable(0x41, 256), hexBytes('00 80 00 00')), 10, /before the start/);
    });

    test('a match that runs past the expected size', () => {
      expectError(concat(twoSymbolTable(0x41, 256), hexBytes('00 40 00 00')), 2, /past the expected size/);
    });

    test('a long length form below its minimum', () => {
      expectError(concat(twoSymbolTable(0x41, 256 + 15), hexBytes('00 40 00 00 ff 05 00')), 40, /long form/);
    });

    test('input that ends before the output is complete: every truncation of a two-block stream', () => {
      const data = Uint8Array.from({ length: 70_000 }, (_, i) => (i % 300 < 150 ? i & 0xff : 3));
      const packed = compressXpressHuffman(data);
      for (let cut = 0; cut < packed.length; cut++) {
        try {
          const out = decode(packed.subarray(0, cut), data.length);
          // Only the final flush words may be missing when the output is already complete.
          assert.ok(Buffer.from(out).equals(Buffer.from(data)) && cut >= packed.length - 4, `cut ${cut} decoded`);
        } catch (e) {
          assert.ok(e instanceof XpressError, `cut ${cut}: ${(e as Error).stack}`);
        }
      }
    });

    test('random damage to tables and bit streams: an error or some output, nothing else, quickly', () => {
      const random = rng(11);
      const data = Uint8Array.from({ length: 80_000 }, (_, i) => (i % 997 < 400 ? Math.floor(random() * 40) : i % 13));
      const packed = compressXpressHuffman(data);
      const started = performance.now();
      let errors = 0;
      for (let i = 0; i < 3000; i++) {
        const bad = packed.slice();
        const flips = 1 + Math.floor(random() * 4);
        for (let k = 0; k < flips; k++) {
          const at = random() < 0.3 ? Math.floor(random() * 256) : Math.floor(random() * bad.length);
          bad[at]! ^= 1 << Math.floor(random() * 8);
        }
        try {
          decode(bad, data.length);
        } catch (e) {
          assert.ok(e instanceof XpressError, `mutation ${i}: ${(e as Error).stack}`);
          errors++;
        }
      }
      assert.ok(errors > 100, `${errors} errors`);
      assert.ok(performance.now() - started < 10_000);
    });
  });
});
