/**
 * Finds SQL Server instances where the user points: each host's SQL Server Browser (SSRP,
 * unicast), optionally a broadcast on the local links whose whole subnet the user named, and a
 * TDS PRELOGIN on every port the Browser lists and every port the user gives, which confirms a
 * SQL Server answers and reads its version without logging in. Hosts are probed a bounded
 * number at a time, every probe has a timeout, an AbortSignal stops it all, and progress is
 * reported per host. Nothing is sent anywhere else: replies to a broadcast from addresses
 * outside the named ranges are dropped, and names are resolved once, by the system resolver.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { mapBounded } from '../backup/scan';
import { productName } from '../source/version';
import { probeTds, type ServerEncryption, type TdsProbe } from './prelogin';
import { SSRP_PORT, ssrpBroadcast, ssrpQuery, type BroadcastTarget, type SsrpAnswer, type SsrpInstance } from './ssrp';
import { DEFAULT_MAX_HOSTS, expandTargets, formatIpv4, inRanges, maskOf, parseIpv4, parseTargets, prefixOf, type TargetSpec } from './targets';

export const DISCOVERY_FORMAT = 'sqlmig-discovery';
export const DISCOVERY_FORMAT_VERSION = 1;
export const DEFAULT_TDS_PORTS: readonly number[] = [1433];

export type BroadcastMode = 'off' | 'also' | 'only';

export interface DiscoveryOptions {
  /** TCP ports given a PRELOGIN on every host (default 1433); the ports SQL Server Browser lists are probed too. */
  ports?: readonly number[];
  /** Ask each host's SQL Server Browser (default true). */
  ssrp?: boolean;
  /** The SQL Server Browser's UDP port (1434). */
  ssrpPort?: number;
  /**
   * `also`: besides asking each host, broadcast on every local IPv4 link whose whole subnet is
   * inside a named range; `only`: broadcast only (no host-by-host requests; the named ranges are
   * not expanded, so their size is not capped), then probe the hosts that answered.
   */
  broadcast?: BroadcastMode;
  /** Per request (each UDP question, each TCP connection), default 2000 ms. */
  timeoutMs?: number;
  /** Hosts probed at once (default 32, at most 256). */
  concurrency?: number;
  /** Hosts probed without confirmation (default 256). */
  maxHosts?: number;
  /** The user confirmed more than `maxHosts` hosts. */
  confirmed?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: DiscoveryProgress) => void;
  /** The local interfaces (os.networkInterfaces() when absent; tests give their own). */
  interfaces?: NodeJS.Dict<import('node:os').NetworkInterfaceInfo[]>;
  /** Resolves a host name (the system resolver when absent). */
  resolve?: (host: string) => Promise<string>;
}

export interface DiscoveryProgress {
  done: number;
  total: number;
  found: number;
  message: string;
}

export type FoundBy = 'ssrp' | 'broadcast' | 'tcp';

export interface DiscoveredServer {
  /** As the user named it, or the address that answered a broadcast. */
  host: string;
  /** The IP address it resolved to. */
  address: string;
  /** The SQL Server Browser's server name (the machine's, or the cluster's network name). */
  serverName?: string;
  /** The instance name (MSSQLSERVER is the default instance); absent when only TCP found it. */
  instance?: string;
  port?: number;
  /** The most exact version known: the Browser's (four parts) or PRELOGIN's. */
  version?: string;
  productName?: string;
  /** Known only after logging in (an assessment), never from discovery alone. */
  edition?: string;
  clustered?: boolean;
  /** A PRELOGIN answer confirmed a SQL Server on the port. */
  tds: boolean;
  /** What the server said to "no encryption": `required` when it forces TLS. */
  encryption?: ServerEncryption;
  foundBy: FoundBy[];
  /** What did not fit: a listed port where nothing answers, a named pipe only, ... */
  note?: string;
}

export interface SilentHost {
  host: string;
  address?: string;
  reason: string;
}

export interface DiscoveryProblem {
  host: string;
  message: string;
}

export interface DiscoveryReport {
  format: typeof DISCOVERY_FORMAT;
  formatVersion: typeof DISCOVERY_FORMAT_VERSION;
  createdAt: string;
  durationMs: number;
  targets: string[];
  settings: { ports: number[]; ssrp: boolean; ssrpPort: number; broadcast: BroadcastMode; timeoutMs: number; concurrency: number };
  servers: DiscoveredServer[];
  /** Hosts where nothing answered. */
  silent: SilentHost[];
  /** Hosts whose answers could not be read (a malformed Browser reply), names that do not resolve. */
  problems: DiscoveryProblem[];
  stats: { hosts: number; udpRequests: number; tcpProbes: number; broadcasts: number };
}

/** The address `sqlmig assess` and the wizard connect to: HOST,PORT when a port is known, else HOST\INSTANCE. */
export function serverAddressOf(s: Pick<DiscoveredServer, 'host' | 'port' | 'instance'>): string {
  const host = s.host.includes(':') ? `[${s.host}]` : s.host;
  if (s.port) return `${host},${s.port}`;
  if (s.instance && s.instance.toUpperCase() !== 'MSSQLSERVER') return `${host}\\${s.instance}`;
  return host;
}

interface InterfaceNet {
  address: string;
  network: number;
  broadcast: number;
  prefix: number;
}

function ipv4Links(interfaces: NodeJS.Dict<import('node:os').NetworkInterfaceInfo[]>): InterfaceNet[] {
  const out: InterfaceNet[] = [];
  for (const list of Object.values(interfaces)) {
    for (const i of list ?? []) {
      if (i.family !== 'IPv4') continue;
      const address = parseIpv4(i.address);
      const prefix = i.cidr ? Number(i.cidr.split('/')[1]) : prefixOf(i.netmask);
      if (address === undefined || prefix === undefined || prefix >= 31) continue;
      const network = (address & maskOf(prefix)) >>> 0;
      out.push({ address: i.address, network, broadcast: (network | (~maskOf(prefix) >>> 0)) >>> 0, prefix });
    }
  }
  return out;
}

/**
 * The broadcast addresses discovery may use: a local link's, when one named range holds that
 * link's whole subnet (a broadcast reaches every host of the link, so the user must have named
 * them all). Ranges that match no local link get no broadcast.
 */
export function broadcastTargets(specs: readonly TargetSpec[], interfaces: NodeJS.Dict<import('node:os').NetworkInterfaceInfo[]>): BroadcastTarget[] {
  const out = new Map<string, BroadcastTarget>();
  for (const link of ipv4Links(interfaces)) {
    const covered = specs.some((s) => s.block && s.block.network <= link.network && s.block.broadcast >= link.broadcast);
    if (covered) out.set(formatIpv4(link.broadcast), { broadcast: formatIpv4(link.broadcast), bindAddress: link.address });
  }
  return [...out.values()];
}

function describeSsrp(a: SsrpAnswer | undefined): string | undefined {
  if (!a) return undefined;
  if (a.kind === 'refused') return 'no SQL Server Browser (UDP port closed)';
  if (a.kind === 'timeout') return 'no SQL Server Browser answer';
  if (a.kind === 'failed') return `SQL Server Browser request failed: ${a.error}`;
  return undefined;
}

function describeTcp(port: number, p: TdsProbe): string {
  switch (p.kind) {
    case 'refused': return `TCP ${port} refused`;
    case 'timeout': return `TCP ${port} no answer`;
    case 'unreachable': return `TCP ${port} unreachable (${p.detail})`;
    case 'not-tds': return `TCP ${port} open but not SQL Server (${p.detail})`;
    case 'tds': return `TCP ${port} SQL Server`;
  }
}

interface HostWork {
  host: string;
  /** Instances a broadcast already reported for this address. */
  broadcast?: SsrpInstance[];
}

export async function discover(targets: readonly string[], options: DiscoveryOptions = {}): Promise<DiscoveryReport> {
  const started = performance.now();
  const specs = parseTargets(targets);
  const mode = options.broadcast ?? 'off';
  const ssrp = options.ssrp ?? true;
  const ssrpPort = options.ssrpPort ?? SSRP_PORT;
  const timeoutMs = Math.max(50, options.timeoutMs ?? 2000);
  const concurrency = Math.min(256, Math.max(1, options.concurrency ?? 32));
  const ports = [...new Set(options.ports ?? DEFAULT_TDS_PORTS)];
  for (const p of ports) if (!Number.isInteger(p) || p < 1 || p > 65535) throw new RangeError(`${p} is not a TCP port`);
  const signal = options.signal;
  const stats = { hosts: 0, udpRequests: 0, tcpProbes: 0, broadcasts: 0 };
  const problems: DiscoveryProblem[] = [];
  const silent: SilentHost[] = [];
  const servers: DiscoveredServer[] = [];

  // The hosts asked one by one: every named host and the ranges expanded (capped), unless broadcast only.
  // With broadcast only, ranges are not expanded; hosts named one by one are still asked.
  const asked = mode === 'only' ? specs.filter((s) => s.first === undefined) : specs;
  const work: HostWork[] = (asked.length ? expandTargets(asked, { maxHosts: options.maxHosts ?? DEFAULT_MAX_HOSTS, confirmed: options.confirmed ?? false }) : []).map((host) => ({ host }));

  if (mode !== 'off') {
    const ranges = specs.filter((s) => s.block);
    const where = broadcastTargets(ranges, options.interfaces ?? networkInterfaces());
    if (where.length === 0) {
      problems.push({ host: ranges.map((r) => r.text).join(', ') || '(no ranges)', message: 'no broadcast: no named CIDR range holds the whole subnet of a local network interface' });
    } else {
      options.onProgress?.({ done: 0, total: work.length, found: 0, message: `Broadcasting to ${where.map((w) => w.broadcast).join(', ')}` });
      stats.broadcasts = where.length;
      const replies = await ssrpBroadcast(where, { port: ssrpPort, timeoutMs, ...(signal && { signal }) });
      const workByHost = new Map(work.map((w) => [w.host, w]));
      for (const r of replies) {
        if (!inRanges(r.from, specs)) continue; // not where the user pointed: not probed, not reported
        if (r.error) {
          problems.push({ host: r.from, message: `malformed SQL Server Browser reply to the broadcast: ${r.error}` });
          continue;
        }
        const known = workByHost.get(r.from);
        if (known) known.broadcast = r.instances ?? [];
        else {
          const w = { host: r.from, broadcast: r.instances ?? [] };
          work.push(w);
          workByHost.set(r.from, w);
        }
      }
    }
  }

  const total = work.length;
  stats.hosts = total;
  let done = 0;
  // IPv4 first when a name has both (SQL Server Browser answers there on every version); IPv6 otherwise.
  const resolve = options.resolve ?? (async (h: string) => (isIP(h) ? h : (await lookup(h, { family: 4 }).catch(() => lookup(h))).address));

  await mapBounded(
    work,
    concurrency,
    async (w) => {
      signal?.throwIfAborted();
      let address: string;
      try {
        address = await bounded(resolve(w.host), Math.max(timeoutMs, 5000), signal);
      } catch (e) {
        if (signal?.aborted) throw e;
        problems.push({ host: w.host, message: `cannot resolve the name: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
        options.onProgress?.({ done: ++done, total, found: servers.length, message: w.host });
        return;
      }
      let answer: SsrpAnswer | undefined;
      let instances: SsrpInstance[] = w.broadcast ?? [];
      if (ssrp && mode !== 'only') {
        stats.udpRequests++;
        answer = await ssrpQuery(address, { port: ssrpPort, timeoutMs, ...(signal && { signal }) });
        if (answer.kind === 'answered') instances = mergeInstances(instances, answer.instances);
        if (answer.kind === 'malformed') problems.push({ host: w.host, message: `malformed SQL Server Browser reply: ${answer.error}` });
      }
      const toProbe = [...new Set([...ports, ...instances.flatMap((i) => (i.tcpPort ? [i.tcpPort] : []))])];
      const probes = new Map<number, TdsProbe>();
      await Promise.all(
        toProbe.map(async (port) => {
          stats.tcpProbes++;
          probes.set(port, await probeTds(address, port, { timeoutMs, ...(signal && { signal }) }));
        }),
      );
      const found = hostServers(w, address, instances, probes, answer);
      servers.push(...found);
      if (found.length === 0) {
        const why = [describeSsrp(answer), ...toProbe.map((p) => describeTcp(p, probes.get(p)!))].filter(Boolean).join('; ');
        if (answer?.kind !== 'malformed') silent.push({ host: w.host, ...(address !== w.host && { address }), reason: why || 'nothing was asked' });
      }
      options.onProgress?.({ done: ++done, total, found: servers.length, message: w.host });
    },
    signal,
  );
  signal?.throwIfAborted();

  const byHost = (a: { host: string }, b: { host: string }) => hostOrder(a.host) - hostOrder(b.host) || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0);
  const key = (s: DiscoveredServer) => `${(s.instance ?? '').toLowerCase()}\u0000${String(s.port ?? 0).padStart(5, '0')}`;
  servers.sort((a, b) => byHost(a, b) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  silent.sort(byHost);
  problems.sort(byHost);
  return {
    format: DISCOVERY_FORMAT,
    formatVersion: DISCOVERY_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - started),
    targets: specs.map((s) => s.text),
    settings: { ports, ssrp, ssrpPort, broadcast: mode, timeoutMs, concurrency },
    servers,
    silent,
    problems,
    stats,
  };
}

/** The work's answer, or a timeout / the abort, whichever comes first (a name lookup cannot be cancelled itself). */
function bounded<T>(work: Promise<T>, ms: number, signal: AbortSignal | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => finish(() => reject(new DOMException('The discovery was cancelled.', 'AbortError')));
    const timer = setTimeout(() => finish(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEOUT' }))), ms);
    const finish = (f: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then((v) => finish(() => resolve(v)), (e) => finish(() => reject(e)));
  });
}

/** IPv4 addresses in numeric order, names after them. */
function hostOrder(host: string): number {
  return parseIpv4(host) ?? 2 ** 32;
}

function mergeInstances(a: SsrpInstance[], b: SsrpInstance[]): SsrpInstance[] {
  const out = new Map(a.map((i) => [i.instanceName.toLowerCase(), i]));
  for (const i of b) out.set(i.instanceName.toLowerCase(), i);
  return [...out.values()];
}

/** What one host holds: each instance the Browser lists (confirmed by PRELOGIN where it has a TCP port), then other TDS ports. */
function hostServers(w: HostWork, address: string, instances: SsrpInstance[], probes: Map<number, TdsProbe>, answer: SsrpAnswer | undefined): DiscoveredServer[] {
  const out: DiscoveredServer[] = [];
  const claimed = new Set<number>();
  const viaBrowser = answer?.kind === 'answered';
  for (const i of instances) {
    const probe = i.tcpPort ? probes.get(i.tcpPort) : undefined;
    const tds = probe?.kind === 'tds' ? probe.reply : undefined;
    if (i.tcpPort) claimed.add(i.tcpPort);
    const foundBy: FoundBy[] = [];
    if (viaBrowser && answer.instances.some((x) => x.instanceName.toLowerCase() === i.instanceName.toLowerCase())) foundBy.push('ssrp');
    if (w.broadcast?.some((x) => x.instanceName.toLowerCase() === i.instanceName.toLowerCase())) foundBy.push('broadcast');
    if (tds) foundBy.push('tcp');
    const note = !i.tcpPort
      ? 'SQL Server Browser lists no TCP port (TCP/IP may be off for this instance)'
      : probe && probe.kind !== 'tds'
        ? `SQL Server Browser lists TCP ${i.tcpPort}, but ${describeTcp(i.tcpPort, probe).replace(/^TCP \d+ /, '')}`
        : undefined;
    out.push({
      host: w.host,
      address,
      serverName: i.serverName,
      instance: i.instanceName,
      ...(i.tcpPort && { port: i.tcpPort }),
      version: i.version || tds?.version,
      productName: productName(i.version || tds?.version || '0'),
      clustered: i.clustered,
      tds: Boolean(tds),
      ...(tds?.encryption && { encryption: tds.encryption }),
      foundBy,
      ...(note && { note }),
    });
  }
  for (const [port, probe] of probes) {
    if (claimed.has(port) || probe.kind !== 'tds') continue;
    out.push({
      host: w.host,
      address,
      port,
      version: probe.reply.version,
      productName: probe.reply.productName,
      tds: true,
      ...(probe.reply.encryption && { encryption: probe.reply.encryption }),
      foundBy: ['tcp'],
    });
  }
  return out;
}

