/**
 * An LZ77+Huffman encoder ([MS-XCA] section 2.1), for tests and synthetic compressed backups:
 * simple and correct rather than small or fast. Blocks of 64 KiB of input, each with its own
 * Huffman table; matches never cross a block boundary but may reach back into earlier blocks.
 * The bit writer follows the specification's scheme: two 16-bit slots are reserved ahead, and
 * the extra bytes of long matches go to the current output position, where the decoder's
 * reader stands when it needs them.
 */

const BLOCK = 65536;
const MAX_DISTANCE = 65535;
const MAX_LENGTH = 65538;
const MIN_MATCH = 3;
const MAX_CODE_BITS = 15;
const EOF_SYMBOL = 256;
const HASH_BITS = 15;
const CHAIN_LIMIT = 24;

export interface XpressEncodeOptions {
  /** Literals only (default: find matches). */
  literalsOnly?: boolean;
}

/** Compresses `input` into one LZ77+Huffman stream. */
export function compressXpressHuffman(input: Uint8Array, options: XpressEncodeOptions = {}): Uint8Array {
  const out = new Output(input.length + 512);
  const matcher = options.literalsOnly ? undefined : new Matcher(input);
  let start = 0;
  do {
    const end = Math.min(input.length, start + BLOCK);
    encodeBlock(out, input, start, end, end === input.length, matcher);
    start = end;
  } while (start < input.length);
  return out.result();
}

/** One token: a literal (length 0) or a match. */
interface Tokens {
  length: number[];
  value: number[];
}

function encodeBlock(out: Output, input: Uint8Array, start: number, end: number, last: boolean, matcher: Matcher | undefined): void {
  const tokens: Tokens = { length: [], value: [] };
  const freq = new Uint32Array(512);
  for (let pos = start; pos < end; ) {
    const m = matcher?.longest(pos, end) ?? { length: 0, distance: 0 };
    if (m.length >= MIN_MATCH) {
      tokens.length.push(m.length);
      tokens.value.push(m.distance);
      freq[matchSymbol(m.length, m.distance)]!++;
      matcher!.skip(pos + m.length);
      pos += m.length;
    } else {
      tokens.length.push(0);
      tokens.value.push(input[pos]!);
      freq[input[pos]!]!++;
      pos++;
    }
  }
  if (last) freq[EOF_SYMBOL]!++;
  const lengths = codeLengths(freq);
  const codes = canonicalCodes(lengths);

  const table = out.reserve(256);
  for (let sym = 0; sym < 512; sym += 2) out.buf[table + (sym >> 1)] = lengths[sym]! | (lengths[sym + 1]! << 4);
  const bits = new BitWriter(out);
  const put = (sym: number) => bits.write(lengths[sym]!, codes[sym]!);
  for (let i = 0; i < tokens.length.length; i++) {
    const length = tokens.length[i]!;
    if (length === 0) {
      put(tokens.value[i]!);
      continue;
    }
    const distance = tokens.value[i]!;
    put(matchSymbol(length, distance));
    if (length - MIN_MATCH >= 15) {
      out.byte(Math.min(length - MIN_MATCH - 15, 255));
      if (length - MIN_MATCH - 15 >= 255) {
        out.byte((length - MIN_MATCH) & 0xff);
        out.byte((length - MIN_MATCH) >> 8);
      }
    }
    const high = highBit(distance);
    bits.write(high, distance - (1 << high));
  }
  if (last) put(EOF_SYMBOL);
  bits.flush();
}

function highBit(n: number): number {
  return 31 - Math.clz32(n);
}

function matchSymbol(length: number, distance: number): number {
  return 256 + Math.min(length - MIN_MATCH, 15) + 16 * highBit(distance);
}

/** Hash chains over 3-byte prefixes: greedy longest match within the window. */
class Matcher {
  private readonly head = new Int32Array(1 << HASH_BITS).fill(-1);
  private readonly prev: Int32Array;
  private inserted = 0;

  constructor(private readonly input: Uint8Array) {
    this.prev = new Int32Array(input.length);
  }

  private hash(pos: number): number {
    const b = this.input;
    return (((b[pos]! << 16) | (b[pos + 1]! << 8) | b[pos + 2]!) * 2654435761) >>> (32 - HASH_BITS);
  }

  /** Inserts every position before `upTo` into the chains. */
  private insertUpTo(upTo: number): void {
    for (; this.inserted < upTo; this.inserted++) {
      if (this.inserted + MIN_MATCH > this.input.length) continue;
      const h = this.hash(this.inserted);
      this.prev[this.inserted] = this.head[h]!;
      this.head[h] = this.inserted;
    }
  }

  longest(pos: number, end: number): { length: number; distance: number } {
    this.insertUpTo(pos);
    const b = this.input;
    const limit = Math.min(MAX_LENGTH, end - pos);
    let best = { length: 0, distance: 0 };
    if (limit < MIN_MATCH) return best;
    let candidate = this.head[this.hash(pos)]!;
    for (let chain = 0; candidate >= 0 && chain < CHAIN_LIMIT; chain++, candidate = this.prev[candidate]!) {
      const distance = pos - candidate;
      if (distance > MAX_DISTANCE) break;
      let n = 0;
      while (n < limit && b[candidate + n] === b[pos + n]) n++;
      if (n > best.length) {
        best = { length: n, distance };
        if (n === limit) break;
      }
    }
    return best;
  }

  /** Positions inside a match still feed the chains. */
  skip(to: number): void {
    this.insertUpTo(to);
  }
}

/** Huffman code lengths of at most 15 bits; every used symbol gets a code, and the code is complete. */
function codeLengths(freq: Uint32Array): Uint8Array {
  const used: number[] = [];
  for (let s = 0; s < 512; s++) if (freq[s]) used.push(s);
  // A complete code needs two symbols at least.
  while (used.length < 2) {
    const extra = used.includes(0) ? 1 : 0;
    freq[extra] = 1;
    used.push(extra);
  }
  const weights = used.map((s) => freq[s]!);
  for (;;) {
    const depths = treeDepths(weights);
    if (Math.max(...depths) <= MAX_CODE_BITS) {
      const lengths = new Uint8Array(512);
      used.forEach((s, i) => (lengths[s] = depths[i]!));
      return lengths;
    }
    // Too deep: flatten the weights and try again.
    for (let i = 0; i < weights.length; i++) weights[i] = Math.max(1, weights[i]! >> 1);
  }
}

/** Depth of each leaf in a Huffman tree over `weights` (a binary heap of nodes). */
function treeDepths(weights: number[]): number[] {
  const n = weights.length;
  const weight = [...weights];
  const parent = new Int32Array(2 * n).fill(-1);
  const heap: number[] = [];
  const less = (a: number, b: number) => weight[a]! < weight[b]! || (weight[a] === weight[b] && a < b);
  const push = (node: number) => {
    heap.push(node);
    for (let i = heap.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!less(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const pop = () => {
    const top = heap[0]!;
    const lastNode = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = lastNode;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  };
  for (let i = 0; i < n; i++) push(i);
  let next = n;
  while (heap.length > 1) {
    const a = pop();
    const b = pop();
    weight[next] = weight[a]! + weight[b]!;
    parent[a] = next;
    parent[b] = next;
    push(next++);
  }
  return weights.map((_, i) => {
    let d = 0;
    for (let node = i; parent[node]! >= 0; node = parent[node]!) d++;
    return d;
  });
}

/** Canonical codes: by length, then by symbol value, as the decoder builds its table. */
function canonicalCodes(lengths: Uint8Array): Uint32Array {
  const codes = new Uint32Array(512);
  let code = 0;
  for (let len = 1; len <= MAX_CODE_BITS; len++) {
    for (let sym = 0; sym < 512; sym++) if (lengths[sym] === len) codes[sym] = code++;
    code <<= 1;
  }
  return codes;
}

class Output {
  buf: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    this.buf = new Uint8Array(Math.max(1024, capacity));
  }
  /** Appends `n` zero bytes; returns where they start. */
  reserve(n: number): number {
    const at = this.length;
    if (at + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, at + n));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
    this.buf.fill(0, at, at + n);
    this.length += n;
    return at;
  }
  byte(v: number): void {
    const at = this.reserve(1); // may grow `buf`: take the offset first
    this.buf[at] = v;
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** The specification's bit writer: 16-bit little-endian words, filled most significant bit first. */
class BitWriter {
  private slot1: number;
  private slot2: number;
  private free = 16;
  private pending = 0;

  constructor(private readonly out: Output) {
    this.slot1 = out.reserve(2);
    this.slot2 = out.reserve(2);
  }

  write(count: number, value: number): void {
    if (count === 0) return;
    if (this.free >= count) {
      this.free -= count;
      this.pending = ((this.pending << count) | value) & 0xffff;
      return;
    }
    const rest = count - this.free;
    this.put(this.slot1, ((this.pending << this.free) | (value >>> rest)) & 0xffff);
    this.slot1 = this.slot2;
    this.slot2 = this.out.reserve(2);
    this.free = 16 - rest;
    this.pending = value & ((1 << rest) - 1);
  }

  flush(): void {
    this.put(this.slot1, (this.pending << this.free) & 0xffff);
    this.put(this.slot2, 0);
  }

  private put(at: number, word: number): void {
    this.out.buf[at] = word & 0xff;
    this.out.buf[at + 1] = word >> 8;
  }
}
