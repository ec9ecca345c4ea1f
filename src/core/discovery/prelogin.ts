/**
 * Is there a SQL Server on this port, and which version? A TDS PRELOGIN ([MS-TDS] 2.2.6.5) and
 * the server's PRELOGIN answer, nothing more: no TLS, no login, no credentials. The answer's
 * VERSION option carries the server's version (UL_VERSION: major, minor, build big-endian;
 * US_SUBBUILD), its ENCRYPTION option whether it insists on TLS. The connection is closed
 * right after.
 */
import { Socket } from 'node:net';
import { productName } from '../source/version';

const PACKET_PRELOGIN = 0x12;
const PACKET_TABULAR_RESULT = 0x04;
const HEADER = 8;
const OPTION = { VERSION: 0x00, ENCRYPTION: 0x01, INSTOPT: 0x02, THREADID: 0x03, MARS: 0x04, TERMINATOR: 0xff } as const;
/** ENCRYPT_OFF, ENCRYPT_ON, ENCRYPT_NOT_SUP, ENCRYPT_REQ */
const ENCRYPTION = ['off', 'on', 'not-supported', 'required'] as const;
export type ServerEncryption = (typeof ENCRYPTION)[number];

export class TdsFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TdsFormatError';
  }
}

export interface PreloginReply {
  /** major.minor.build (and .subbuild when not 0), e.g. 15.0.4298 */
  version: string;
  major: number;
  minor: number;
  build: number;
  subbuild: number;
  productName: string;
  /** The server's answer to "encryption not supported": `required` when it insists on TLS. */
  encryption?: ServerEncryption;
}

function options(list: [number, Buffer][]): Buffer {
  const headerLength = list.length * 5 + 1;
  const header = Buffer.alloc(headerLength);
  let offset = headerLength;
  list.forEach(([token, data], i) => {
    header[i * 5] = token;
    header.writeUInt16BE(offset, i * 5 + 1);
    header.writeUInt16BE(data.length, i * 5 + 3);
    offset += data.length;
  });
  header[headerLength - 1] = OPTION.TERMINATOR;
  return Buffer.concat([header, ...list.map(([, d]) => d)]);
}

/** The PRELOGIN packet a client sends first; it says encryption is not supported (we never log in). */
export function encodePrelogin(): Buffer {
  const version = Buffer.from([0, 0, 0, 0, 0, 0]);
  const payload = options([
    [OPTION.VERSION, version],
    [OPTION.ENCRYPTION, Buffer.from([2])],
    [OPTION.INSTOPT, Buffer.from([0])],
    [OPTION.THREADID, Buffer.alloc(4)],
    [OPTION.MARS, Buffer.from([0])],
  ]);
  const header = Buffer.alloc(HEADER);
  header[0] = PACKET_PRELOGIN;
  header[1] = 0x01; // end of message
  header.writeUInt16BE(HEADER + payload.length, 2);
  header[6] = 1; // packet id
  return Buffer.concat([header, payload]);
}

/** Reads the server's PRELOGIN answer: one TDS packet of type 0x04 whose payload is an option list. */
export function decodePreloginReply(packet: Buffer): PreloginReply {
  if (packet.length < HEADER) throw new TdsFormatError(`${packet.length} bytes, shorter than a TDS packet header`);
  if (packet[0] !== PACKET_TABULAR_RESULT) throw new TdsFormatError(`a packet of type 0x${packet[0]!.toString(16).padStart(2, '0')}, not a PRELOGIN answer (0x04)`);
  const length = packet.readUInt16BE(2);
  if (length < HEADER || length > packet.length) throw new TdsFormatError(`the packet says ${length} bytes but ${packet.length} arrived`);
  const payload = packet.subarray(HEADER, length);
  const found = new Map<number, Buffer>();
  for (let i = 0; ; i += 5) {
    if (i >= payload.length) throw new TdsFormatError('the option list has no terminator');
    const token = payload[i]!;
    if (token === OPTION.TERMINATOR) break;
    if (i + 5 > payload.length) throw new TdsFormatError('an option entry runs past the end');
    const offset = payload.readUInt16BE(i + 1);
    const size = payload.readUInt16BE(i + 3);
    if (offset + size > payload.length) throw new TdsFormatError(`option 0x${token.toString(16)} runs past the end`);
    found.set(token, payload.subarray(offset, offset + size));
  }
  const v = found.get(OPTION.VERSION);
  if (!v || v.length < 6) throw new TdsFormatError('the answer has no VERSION option');
  const major = v[0]!;
  const minor = v[1]!;
  const build = v.readUInt16BE(2);
  const subbuild = v.readUInt16BE(4);
  const version = `${major}.${minor}.${build}${subbuild ? `.${subbuild}` : ''}`;
  const e = found.get(OPTION.ENCRYPTION)?.[0];
  return { version, major, minor, build, subbuild, productName: productName(version), ...(e !== undefined && e < ENCRYPTION.length && { encryption: ENCRYPTION[e] }) };
}

export type TdsProbe =
  | { kind: 'tds'; reply: PreloginReply }
  /** The port is open but what answered is not a SQL Server's PRELOGIN (or nothing answered on it). */
  | { kind: 'not-tds'; detail: string }
  | { kind: 'refused' }
  | { kind: 'timeout' }
  | { kind: 'unreachable'; detail: string };

/** Connects, sends PRELOGIN, reads the answer and closes. Never throws but on abort. */
export function probeTds(host: string, port: number, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<TdsProbe> {
  const timeoutMs = options.timeoutMs ?? 2000;
  return new Promise<TdsProbe>((resolve, reject) => {
    if (options.signal?.aborted) return reject(new DOMException('The discovery was cancelled.', 'AbortError'));
    const socket = new Socket();
    let connected = false;
    let done = false;
    let received = Buffer.alloc(0);
    const finish = (r: TdsProbe | Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (r instanceof Error) reject(r);
      else resolve(r);
    };
    const onAbort = () => finish(new DOMException('The discovery was cancelled.', 'AbortError'));
    const timer = setTimeout(() => finish(connected ? { kind: 'not-tds', detail: `the port is open but nothing answered PRELOGIN within ${timeoutMs} ms` } : { kind: 'timeout' }), timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') finish({ kind: 'refused' });
      else if (connected) finish({ kind: 'not-tds', detail: `the connection failed after it opened: ${e.message}` });
      else finish({ kind: 'unreachable', detail: e.code ?? e.message });
    });
    socket.on('close', () => finish(connected ? { kind: 'not-tds', detail: 'the server closed the connection without a PRELOGIN answer' } : { kind: 'unreachable', detail: 'closed' }));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < HEADER) return;
      const length = received.readUInt16BE(2);
      if (received[0] !== PACKET_TABULAR_RESULT || length < HEADER || length > 32_768) {
        finish({ kind: 'not-tds', detail: `the answer is not a TDS packet (first bytes ${received.subarray(0, 4).toString('hex')})` });
        return;
      }
      if (received.length < length) return;
      try {
        finish({ kind: 'tds', reply: decodePreloginReply(received.subarray(0, length)) });
      } catch (e) {
        finish({ kind: 'not-tds', detail: (e as Error).message });
      }
    });
    socket.connect({ host, port }, () => {
      connected = true;
      socket.write(encodePrelogin());
    });
  });
}
