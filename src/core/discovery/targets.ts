/**
 * Where discovery may look: only what the user names. Host names, IPv4 and IPv6 addresses,
 * IPv4 CIDR ranges (10.0.4.0/24) and IPv4 ranges (10.0.4.10-10.0.4.40, or 10.0.4.10-40). A
 * range's size is known before anything is sent: above a cap (256 hosts by default, a /24) the
 * caller must confirm, and nothing larger than a /16 is ever expanded.
 */

export const DEFAULT_MAX_HOSTS = 256;
/** A /16: beyond this, name smaller ranges. */
export const HARD_MAX_HOSTS = 65_536;

export type TargetKind = 'host' | 'address' | 'cidr' | 'range';

export interface TargetSpec {
  /** As the user wrote it. */
  text: string;
  kind: TargetKind;
  /** Hosts it stands for. */
  count: number;
  /** IPv4 ranges: first and last address probed (network and broadcast addresses left out). */
  first?: number;
  last?: number;
  /** CIDR ranges: the whole block, network and broadcast included (for matching replies and interfaces). */
  block?: { network: number; broadcast: number; prefix: number };
}

/** A target the user wrote that is not one: says which and why. */
export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetError';
  }
}

/** The targets stand for more hosts than allowed without confirmation (or at all). */
export class TooManyTargetsError extends Error {
  constructor(
    readonly count: number,
    readonly cap: number,
    readonly hard: boolean,
  ) {
    super(
      hard
        ? `the targets stand for ${count} hosts; discovery probes at most ${cap} (a /16): name smaller ranges`
        : `the targets stand for ${count} hosts, more than ${cap}: confirm to probe them all (sqlmig: --yes), or name smaller ranges`,
    );
    this.name = 'TooManyTargetsError';
  }
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
/** RFC 1123 host names (labels of letters, digits and hyphens), also single-label NetBIOS-style names. */
const HOST = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

export function parseIpv4(text: string): number | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** The number of ones of a dotted netmask, or undefined when it is not contiguous. */
export function prefixOf(netmask: string): number | undefined {
  const n = parseIpv4(netmask);
  if (n === undefined) return undefined;
  for (let p = 0; p <= 32; p++) if (maskOf(p) === n) return p;
  return undefined;
}

function isIpv6(text: string): boolean {
  const t = text.replace(/^\[(.*)\]$/, '$1');
  return t.includes(':') && /^[0-9A-Fa-f:.%A-Za-z0-9]+$/.test(t) && (t.match(/:/g)?.length ?? 0) >= 2;
}

function parseOne(text: string): TargetSpec {
  const cidr = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (cidr) {
    const base = parseIpv4(cidr[1]!);
    if (base === undefined) {
      if (isIpv6(cidr[1]!)) throw new TargetError(`"${text}": IPv6 ranges are not scanned (too large to probe); name the IPv6 addresses instead`);
      throw new TargetError(`"${text}": ${cidr[1]} is not an IPv4 address`);
    }
    const prefix = Number(cidr[2]);
    if (prefix > 32) throw new TargetError(`"${text}": the prefix length must be 0 to 32`);
    const network = (base & maskOf(prefix)) >>> 0;
    const broadcast = (network | (~maskOf(prefix) >>> 0)) >>> 0;
    // /31 and /32 have no network or broadcast address to leave out (RFC 3021).
    const first = prefix >= 31 ? network : network + 1;
    const last = prefix >= 31 ? broadcast : broadcast - 1;
    return { text, kind: 'cidr', count: last - first + 1, first, last, block: { network, broadcast, prefix } };
  }
  const range = /^([\d.]+)-([\d.]+)$/.exec(text);
  if (range) {
    const first = parseIpv4(range[1]!);
    if (first === undefined) throw new TargetError(`"${text}": ${range[1]} is not an IPv4 address`);
    let last = parseIpv4(range[2]!);
    if (last === undefined && /^\d{1,3}$/.test(range[2]!) && Number(range[2]) <= 255) last = ((first & 0xffffff00) >>> 0) + Number(range[2]);
    if (last === undefined) throw new TargetError(`"${text}": ${range[2]} is not an IPv4 address or a last octet`);
    if (last < first) throw new TargetError(`"${text}": the range ends before it starts`);
    return { text, kind: 'range', count: last - first + 1, first, last };
  }
  if (parseIpv4(text) !== undefined) return { text, kind: 'address', count: 1 };
  if (isIpv6(text)) return { text: text.replace(/^\[(.*)\]$/, '$1'), kind: 'address', count: 1 };
  if (HOST.test(text)) return { text: text.replace(/\.$/, ''), kind: 'host', count: 1 };
  throw new TargetError(`"${text}" is not a host name, an IP address, a CIDR range (10.0.4.0/24) or a range (10.0.4.10-40)`);
}

/** Reads targets from arguments or a file's lines: separated by commas or white space, `#` starts a comment. */
export function parseTargets(inputs: readonly string[]): TargetSpec[] {
  const words = inputs.flatMap((i) => i.split(/\r?\n/).map((line) => line.replace(/#.*$/, ''))).flatMap((line) => line.split(/[\s,;]+/)).filter(Boolean);
  if (words.length === 0) throw new TargetError('no targets: name host names, IP addresses or ranges');
  return words.map(parseOne);
}

export function countTargets(specs: readonly TargetSpec[]): number {
  return specs.reduce((n, s) => n + s.count, 0);
}

/**
 * Every host the specs stand for, in order, without duplicates. Refuses above `maxHosts`
 * unless `confirmed`, and above HARD_MAX_HOSTS always.
 */
export function expandTargets(specs: readonly TargetSpec[], options: { maxHosts?: number; confirmed?: boolean } = {}): string[] {
  const count = countTargets(specs);
  if (count > HARD_MAX_HOSTS) throw new TooManyTargetsError(count, HARD_MAX_HOSTS, true);
  const cap = options.maxHosts ?? DEFAULT_MAX_HOSTS;
  if (count > cap && !options.confirmed) throw new TooManyTargetsError(count, cap, false);
  const out = new Set<string>();
  for (const s of specs) {
    if (s.first === undefined) out.add(s.kind === 'host' ? s.text.toLowerCase() : s.text);
    else for (let n = s.first; n <= s.last!; n++) out.add(formatIpv4(n));
  }
  return [...out];
}

/** Whether an IPv4 address lies in one of the ranges (CIDR blocks whole, ranges as given). */
export function inRanges(address: string, specs: readonly TargetSpec[]): boolean {
  const n = parseIpv4(address);
  if (n === undefined) return false;
  return specs.some((s) => (s.block ? n >= s.block.network && n <= s.block.broadcast : s.first !== undefined && n >= s.first && n <= s.last!));
}
