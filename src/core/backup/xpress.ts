/**
 * Decoder for Microsoft's "LZ77+Huffman" (Xpress Compression Algorithm, [MS-XCA] section 2.2),
 * written from the public specification.
 *
 * A stream is a sequence of blocks. Each block starts with 256 bytes holding the 4-bit code
 * lengths of 512 symbols (0-255 literals, 256-511 matches), then a bit stream read as 16-bit
 * little-endian words, most significant bit first. Extra length bytes of long matches sit in
 * the input between those words, at the position the reader has reached. A block ends once it
 * has produced 64 KiB (a match may run past that point); the next block's table starts where
 * the reader stands.
 *
 * The caller always knows the exact output size, so the decoder never allocates: it fills the
 * caller's buffer and fails (XpressError, with the input offset) on anything that would write
 * past it, reach before its start, read past the input or build an invalid code.
 */

const TABLE_BYTES = 256;
const SYMBOLS = 512;
const MAX_CODE_BITS = 15;
const BLOCK_OUTPUT = 65536;

/** A stream that is not valid LZ77+Huffman data (or not the size it was said to be). */
export class XpressError extends Error {
  constructor(
    message: string,
    /** Offset in the input where the problem was found. */
    readonly inputOffset: number,
  ) {
    super(message);
    this.name = 'XpressError';
  }
}

export interface XpressOptions {
  /** Stop once at least this many bytes are produced (the rest of `output` is left as it was). */
  stopAfter?: number;
}

/**
 * Decoding table, indexed by the next 15 bits of the stream: `symbol << 4 | code length`.
 * One shared table: decoding is synchronous, so calls never interleave.
 */
const decodeTable = new Uint16Array(1 << MAX_CODE_BITS);
const lengthCount = new Int32Array(MAX_CODE_BITS + 1);
const nextEntry = new Int32Array(MAX_CODE_BITS + 1);

/**
 * Fills `decodeTable` from the 256-byte length table at `at`: canonical codes, shorter codes
 * first, then by symbol value (the spec's ordering). The code must fill the 15-bit space exactly.
 */
function buildTable(input: Uint8Array, at: number): void {
  lengthCount.fill(0);
  for (let i = 0; i < TABLE_BYTES; i++) {
    const b = input[at + i]!;
    lengthCount[b & 15]!++;
    lengthCount[b >> 4]!++;
  }
  let entry = 0;
  for (let len = 1; len <= MAX_CODE_BITS; len++) {
    nextEntry[len] = entry;
    entry += lengthCount[len]! << (MAX_CODE_BITS - len);
  }
  if (entry !== 1 << MAX_CODE_BITS) {
    throw new XpressError(
      `invalid Huffman table: its codes ${entry > 1 << MAX_CODE_BITS ? 'overfill' : 'do not fill'} the code space`,
      at,
    );
  }
  for (let sym = 0; sym < SYMBOLS; sym++) {
    const len = (input[at + (sym >> 1)]! >> ((sym & 1) << 2)) & 15;
    if (len === 0) continue;
    const start = nextEntry[len]!;
    const end = start + (1 << (MAX_CODE_BITS - len));
    decodeTable.fill((sym << 4) | len, start, end);
    nextEntry[len] = end;
  }
}

/**
 * Decodes `input` into `output`, which must be exactly the decompressed size. Returns the
 * number of bytes produced: `output.length`, or at least `stopAfter` when that was asked.
 */
export function decompressXpressHuffman(input: Uint8Array, output: Uint8Array, options: XpressOptions = {}): number {
  const outEnd = output.length;
  const want = Math.min(outEnd, options.stopAfter ?? outEnd);
  const inEnd = input.length;
  let out = 0;
  let block = 0; // input offset of the current block

  while (out < want) {
    if (block + TABLE_BYTES > inEnd) {
      throw new XpressError(`the input ends at ${inEnd} with ${outEnd - out} bytes still to produce (no room for a Huffman table)`, block);
    }
    buildTable(input, block);
    let pos = block + TABLE_BYTES;
    if (pos + 4 > inEnd) throw new XpressError('the input ends inside the first bits of a block', inEnd);
    // 32 bits of look-ahead, most significant first; `extra` counts bits beyond the first 16.
    let bits = ((input[pos]! | (input[pos + 1]! << 8)) << 16) | input[pos + 2]! | (input[pos + 3]! << 8);
    pos += 4;
    let extra = 16;
    const blockEnd = out + BLOCK_OUTPUT;

    while (out < blockEnd && out < want) {
      const entry = decodeTable[bits >>> 17]!;
      const len = entry & 15;
      let sym = entry >> 4;
      bits <<= len;
      extra -= len;
      if (extra < 0) {
        if (pos + 2 > inEnd) throw new XpressError('the bit stream runs past the end of the input', inEnd);
        bits |= (input[pos]! | (input[pos + 1]! << 8)) << -extra;
        pos += 2;
        extra += 16;
      }
      if (sym < 256) {
        output[out++] = sym;
        continue;
      }
      sym -= 256;
      let length = sym & 15;
      const offsetBits = sym >> 4;
      if (length === 15) {
        if (pos >= inEnd) throw new XpressError('a match length byte lies past the end of the input', inEnd);
        length = input[pos++]!;
        if (length === 255) {
          if (pos + 2 > inEnd) throw new XpressError('a match length lies past the end of the input', inEnd);
          length = input[pos]! | (input[pos + 1]! << 8);
          pos += 2;
          if (length < 15) throw new XpressError(`a match length of ${length} in its long form cannot be`, pos - 2);
          length -= 15;
        }
        length += 15;
      }
      length += 3;
      let distance = 1 << offsetBits;
      if (offsetBits > 0) {
        distance += bits >>> (32 - offsetBits);
        bits <<= offsetBits;
        extra -= offsetBits;
        if (extra < 0) {
          if (pos + 2 > inEnd) throw new XpressError('the bit stream runs past the end of the input', inEnd);
          bits |= (input[pos]! | (input[pos + 1]! << 8)) << -extra;
          pos += 2;
          extra += 16;
        }
      }
      if (distance > out) throw new XpressError(`a match reaches ${distance} bytes back from output byte ${out}, before the start`, pos);
      if (out + length > outEnd) {
        throw new XpressError(`a match of ${length} bytes at output byte ${out} runs past the expected size ${outEnd}`, pos);
      }
      copyMatch(output, out, distance, length);
      out += length;
    }
    block = pos;
  }
  return out;
}

/** Copies an LZ77 match; the source may overlap the destination (a run). */
function copyMatch(output: Uint8Array, at: number, distance: number, length: number): void {
  const from = at - distance;
  if (length <= 16) {
    for (let i = 0; i < length; i++) output[at + i] = output[from + i]!;
  } else if (distance === 1) {
    output.fill(output[from]!, at, at + length);
  } else if (distance >= length) {
    output.copyWithin(at, from, from + length);
  } else {
    // Overlapping: the pattern repeats every `distance` bytes; copy it in doubling chunks.
    let done = 0;
    while (done < length) {
      const n = Math.min(distance + done, length - done);
      output.copyWithin(at + done, from, from + n);
      done += n;
    }
  }
}
