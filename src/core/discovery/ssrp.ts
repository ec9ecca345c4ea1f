/**
 * The SQL Server Resolution Protocol ([MC-SQLR], the SQL Server Browser on UDP 1434), written
 * from Microsoft's Open Specifications document:
 *
 * - CLNT_BCAST_EX (0x02): every instance of every server on the link (a broadcast);
 * - CLNT_UCAST_EX (0x03): every instance of one server;
 * - CLNT_UCAST_INST (0x04) + the instance name (at most 32 bytes, NUL-terminated): one instance;
 * - SVR_RESP (0x05) + RESP_SIZE (2 bytes, little-endian) + RESP_DATA: records of
 *   `ServerName;S;InstanceName;I;IsClustered;Yes|No;Version;V[;np;PIPE][;tcp;PORT]...;;`.
 *
 * A reply is read strictly: a wrong type byte, a size that does not match, a record without its
 * four named fields, a version that is not digits and dots, a port that is not one, all make an
 * SsrpFormatError that says which; the caller reports the host's reply as malformed instead of
 * guessing. The port is a parameter everywhere (1434 is the protocol's; tests use their own).
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';

export const SSRP_PORT = 1434;

export const SSRP = {
  CLNT_BCAST_EX: 0x02,
  CLNT_UCAST_EX: 0x03,
  CLNT_UCAST_INST: 0x04,
  SVR_RESP: 0x05,
} as const;

/** RESP_DATA limits: 1,024 bytes for one instance, 65,535 for all of them. */
export const MAX_INSTANCE_RESPONSE = 1024;
export const MAX_RESPONSE = 65_535;

export interface SsrpInstance {
  serverName: string;
  instanceName: string;
  clustered: boolean;
  /** e.g. 15.0.4298.1 */
  version: string;
  tcpPort?: number;
  /** The named pipe, e.g. \\SQL01\pipe\MSSQL$SALES\sql\query */
  pipe?: string;
  /** Other transports the server lists (via, rpc, spx, adsp, bv), as written. */
  other?: Record<string, string>;
}

export class SsrpFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SsrpFormatError';
  }
}

// ---- the messages -------------------------------------------------------------------------------

export function encodeRequest(kind: 'broadcast' | 'all' | 'instance', instance?: string): Buffer {
  if (kind === 'broadcast') return Buffer.from([SSRP.CLNT_BCAST_EX]);
  if (kind === 'all') return Buffer.from([SSRP.CLNT_UCAST_EX]);
  const name = Buffer.from(instance ?? '', 'latin1');
  if (name.length === 0 || name.length > 32) throw new SsrpFormatError(`an instance name is 1 to 32 bytes, not ${name.length}`);
  return Buffer.concat([Buffer.from([SSRP.CLNT_UCAST_INST]), name, Buffer.from([0])]);
}

/** What a request asks for, as a server reads it; undefined for anything else (it is ignored). */
export function decodeRequest(buf: Buffer): { kind: 'broadcast' | 'all' } | { kind: 'instance'; instance: string } | undefined {
  if (buf.length === 1 && buf[0] === SSRP.CLNT_BCAST_EX) return { kind: 'broadcast' };
  if (buf.length === 1 && buf[0] === SSRP.CLNT_UCAST_EX) return { kind: 'all' };
  if (buf.length >= 2 && buf[0] === SSRP.CLNT_UCAST_INST) {
    const end = buf.indexOf(0, 1);
    const name = buf.subarray(1, end < 0 ? buf.length : end);
    if (name.length >= 1 && name.length <= 32) return { kind: 'instance', instance: name.toString('latin1') };
  }
  return undefined;
}

function record(i: SsrpInstance): string {
  const parts = ['ServerName', i.serverName, 'InstanceName', i.instanceName, 'IsClustered', i.clustered ? 'Yes' : 'No', 'Version', i.version];
  if (i.pipe) parts.push('np', i.pipe);
  if (i.tcpPort !== undefined) parts.push('tcp', String(i.tcpPort));
  for (const [k, v] of Object.entries(i.other ?? {})) parts.push(k, v);
  return `${parts.join(';')};;`;
}

/** SVR_RESP for these instances (a server's side; the sandbox answers with it). */
export function encodeResponse(instances: readonly SsrpInstance[], limit = MAX_RESPONSE): Buffer {
  const data = Buffer.from(instances.map(record).join(''), 'latin1');
  if (data.length > limit) throw new SsrpFormatError(`the response data is ${data.length} bytes, more than ${limit}`);
  const head = Buffer.alloc(3);
  head[0] = SSRP.SVR_RESP;
  head.writeUInt16LE(data.length, 1);
  return Buffer.concat([head, data]);
}

const TRANSPORTS_WITH_ONE_VALUE = new Set(['np', 'tcp', 'via', 'rpc', 'spx', 'adsp']);

function decodeRecord(text: string, n: number): SsrpInstance {
  const t = text.split(';');
  const where = `record ${n + 1}`;
  const field = (at: number, name: string) => {
    if (t[at]?.toLowerCase() !== name.toLowerCase()) throw new SsrpFormatError(`${where}: expected "${name}" at position ${at + 1}, found "${(t[at] ?? '(end)').slice(0, 40)}"`);
    const value = t[at + 1];
    if (value === undefined) throw new SsrpFormatError(`${where}: "${name}" has no value`);
    return value;
  };
  const serverName = field(0, 'ServerName');
  const instanceName = field(2, 'InstanceName');
  const clusteredText = field(4, 'IsClustered');
  const version = field(6, 'Version');
  if (!serverName || serverName.length > 255) throw new SsrpFormatError(`${where}: the server name is empty or longer than 255 bytes`);
  if (!instanceName || instanceName.length > 255) throw new SsrpFormatError(`${where}: the instance name is empty or longer than 255 bytes`);
  if (!/^(yes|no)$/i.test(clusteredText)) throw new SsrpFormatError(`${where}: IsClustered is "${clusteredText.slice(0, 20)}", not Yes or No`);
  if (!/^[0-9.]{1,16}$/.test(version) || !/\d/.test(version)) throw new SsrpFormatError(`${where}: the version "${version.slice(0, 20)}" is not digits and dots (at most 16)`);
  const out: SsrpInstance = { serverName, instanceName, clustered: /^yes$/i.test(clusteredText), version };
  for (let i = 8; i < t.length; ) {
    const key = t[i]!.toLowerCase();
    if (key === '' && i === t.length - 1) break;
    if (key === 'bv') {
      // Banyan VINES: item, group, item, group, org; the last transport when present.
      (out.other ??= {}).bv = t.slice(i + 1).join(';');
      break;
    }
    if (!TRANSPORTS_WITH_ONE_VALUE.has(key)) throw new SsrpFormatError(`${where}: unknown transport "${t[i]!.slice(0, 20)}"`);
    const value = t[i + 1];
    if (value === undefined) throw new SsrpFormatError(`${where}: transport "${key}" has no value`);
    if (key === 'tcp') {
      if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) throw new SsrpFormatError(`${where}: the TCP port "${value.slice(0, 20)}" is not a port number`);
      out.tcpPort = Number(value);
    } else if (key === 'np') out.pipe = value;
    else (out.other ??= {})[key] = value;
    i += 2;
  }
  return out;
}

/** Reads an SVR_RESP: the instances it lists. Throws SsrpFormatError when it is not one. */
export function decodeResponse(buf: Buffer): SsrpInstance[] {
  if (buf.length < 3) throw new SsrpFormatError(`the reply is ${buf.length} bytes, shorter than an SVR_RESP header`);
  if (buf[0] !== SSRP.SVR_RESP) throw new SsrpFormatError(`the reply starts with 0x${buf[0]!.toString(16).padStart(2, '0')}, not SVR_RESP (0x05)`);
  const size = buf.readUInt16LE(1);
  if (size > buf.length - 3) throw new SsrpFormatError(`RESP_SIZE says ${size} bytes but ${buf.length - 3} follow`);
  const data = buf.subarray(3, 3 + size).toString('latin1');
  if (data.length === 0) return [];
  if (!data.endsWith(';;')) throw new SsrpFormatError('the response data does not end with ";;"');
  const records = data.slice(0, -2).split(';;');
  return records.map(decodeRecord);
}

// ---- asking over UDP ----------------------------------------------------------------------------

export type SsrpAnswer =
  | { kind: 'answered'; from: string; instances: SsrpInstance[] }
  /** Something answered, but not with an SVR_RESP we can read. */
  | { kind: 'malformed'; from: string; error: string }
  /** The host said the port is closed (ICMP port unreachable): no SQL Server Browser there. */
  | { kind: 'refused' }
  | { kind: 'timeout' }
  | { kind: 'failed'; error: string };

export interface SsrpOptions {
  port?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Ask for this instance only (CLNT_UCAST_INST); every instance when absent (CLNT_UCAST_EX). */
  instance?: string;
}

function abortError(): DOMException {
  return new DOMException('The discovery was cancelled.', 'AbortError');
}

/** Asks one host's SQL Server Browser for its instances (unicast). Never throws but on abort. */
export function ssrpQuery(address: string, options: SsrpOptions = {}): Promise<SsrpAnswer> {
  const port = options.port ?? SSRP_PORT;
  const timeoutMs = options.timeoutMs ?? 2000;
  const request = options.instance ? encodeRequest('instance', options.instance) : encodeRequest('all');
  return new Promise<SsrpAnswer>((resolve, reject) => {
    if (options.signal?.aborted) return reject(abortError());
    const socket = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
    let done = false;
    const finish = (a: SsrpAnswer | Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      try {
        socket.close();
      } catch {
        // already closed
      }
      if (a instanceof Error) reject(a);
      else resolve(a);
    };
    const onAbort = () => finish(abortError());
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (e: NodeJS.ErrnoException) => finish(e.code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'failed', error: e.message }));
    socket.on('message', (msg, rinfo) => {
      try {
        finish({ kind: 'answered', from: rinfo.address, instances: decodeResponse(msg) });
      } catch (e) {
        finish({ kind: 'malformed', from: rinfo.address, error: (e as Error).message });
      }
    });
    // Connected: only this host's answer is read, and a closed port is reported (ECONNREFUSED).
    socket.connect(port, address, () => {
      socket.send(request, (e) => e && finish({ kind: 'failed', error: e.message }));
    });
  });
}

export interface BroadcastTarget {
  /** The interface's broadcast address, e.g. 192.168.1.255. */
  broadcast: string;
  /** The interface's own address: the request leaves from it. */
  bindAddress?: string;
}

export interface BroadcastReply {
  from: string;
  instances?: SsrpInstance[];
  error?: string;
}

/**
 * CLNT_BCAST_EX to each broadcast address; every reply that arrives within the timeout, one per
 * answering address (later ones from the same address are ignored).
 */
export async function ssrpBroadcast(targets: readonly BroadcastTarget[], options: Omit<SsrpOptions, 'instance'> = {}): Promise<BroadcastReply[]> {
  const port = options.port ?? SSRP_PORT;
  const timeoutMs = options.timeoutMs ?? 2000;
  const replies = new Map<string, BroadcastReply>();
  const sockets: Socket[] = [];
  try {
    await Promise.all(
      targets.map(async (t) => {
        const socket = createSocket({ type: 'udp4' });
        sockets.push(socket);
        socket.on('error', () => undefined);
        socket.on('message', (msg, rinfo) => {
          if (replies.has(rinfo.address)) return;
          try {
            replies.set(rinfo.address, { from: rinfo.address, instances: decodeResponse(msg) });
          } catch (e) {
            replies.set(rinfo.address, { from: rinfo.address, error: (e as Error).message });
          }
        });
        await new Promise<void>((res, rej) => {
          socket.once('error', rej);
          socket.bind({ port: 0, ...(t.bindAddress && { address: t.bindAddress }) }, () => {
            socket.removeListener('error', rej);
            res();
          });
        });
        socket.setBroadcast(true);
        await new Promise<void>((res) => socket.send(encodeRequest('broadcast'), port, t.broadcast, () => res()));
      }),
    );
    await new Promise<void>((resolve, reject) => {
      if (options.signal?.aborted) return reject(abortError());
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortError());
      };
      const timer = setTimeout(() => {
        options.signal?.removeEventListener('abort', onAbort);
        resolve();
      }, timeoutMs);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  } finally {
    for (const s of sockets) {
      try {
        s.close();
      } catch {
        // already closed
      }
    }
  }
  return [...replies.values()];
}
