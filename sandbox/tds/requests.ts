/**
 * Parsing what a client sends: PRELOGIN, LOGIN7, SQL batches and RPC requests. Anything that does
 * not fit the protocol throws `MalformedRequest`, which the server answers with a protocol error.
 */

export class MalformedRequest extends Error {}

function need(buf: Buffer, end: number, what: string): void {
  if (end > buf.length) throw new MalformedRequest(`${what} runs past the end of the message (${end} > ${buf.length})`);
}

// ---- PRELOGIN -------------------------------------------------------------------------------

export const PRELOGIN_OPTION = { VERSION: 0x00, ENCRYPTION: 0x01, INSTOPT: 0x02, THREADID: 0x03, MARS: 0x04, FEDAUTHREQUIRED: 0x06 } as const;
export const ENCRYPT = { OFF: 0x00, ON: 0x01, NOT_SUP: 0x02, REQ: 0x03 } as const;

export function parsePrelogin(buf: Buffer): Map<number, Buffer> {
  const options = new Map<number, Buffer>();
  for (let i = 0; ; i += 5) {
    need(buf, i + 1, 'PRELOGIN option list');
    const token = buf[i]!;
    if (token === 0xff) return options;
    need(buf, i + 5, 'PRELOGIN option');
    const offset = buf.readUInt16BE(i + 1);
    const length = buf.readUInt16BE(i + 3);
    need(buf, offset + length, `PRELOGIN option ${token}`);
    options.set(token, buf.subarray(offset, offset + length));
  }
}

export function buildPrelogin(options: [number, Buffer][]): Buffer {
  const headerLength = options.length * 5 + 1;
  const header = Buffer.alloc(headerLength);
  let offset = headerLength;
  options.forEach(([token, data], i) => {
    header[i * 5] = token;
    header.writeUInt16BE(offset, i * 5 + 1);
    header.writeUInt16BE(data.length, i * 5 + 3);
    offset += data.length;
  });
  header[headerLength - 1] = 0xff;
  return Buffer.concat([header, ...options.map(([, d]) => d)]);
}

// ---- LOGIN7 ---------------------------------------------------------------------------------

export interface Login7 {
  tdsVersion: number;
  packetSize: number;
  hostName: string;
  userName: string;
  password: string;
  appName: string;
  serverName: string;
  database: string;
  /** An NTLM (or other SSPI) token: integrated authentication. */
  sspi?: Buffer;
  /** A federated authentication security token (Microsoft Entra access token). */
  accessToken?: string;
}

/** LOGIN7 hides the password: each byte has its nibbles swapped, then is XORed with 0xA5. */
export function decodePassword(bytes: Buffer): string {
  const out = Buffer.alloc(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]! ^ 0xa5;
    out[i] = ((b & 0x0f) << 4) | (b >> 4);
  }
  return out.toString('utf16le');
}

export function parseLogin7(buf: Buffer): Login7 {
  need(buf, 94, 'LOGIN7 fixed part');
  const length = buf.readUInt32LE(0);
  if (length > buf.length) throw new MalformedRequest(`LOGIN7 says ${length} bytes but the message has ${buf.length}`);
  const text = (at: number, what: string) => {
    const offset = buf.readUInt16LE(at);
    const chars = buf.readUInt16LE(at + 2);
    need(buf, offset + chars * 2, `LOGIN7 ${what}`);
    return buf.subarray(offset, offset + chars * 2);
  };
  const login: Login7 = {
    tdsVersion: buf.readUInt32LE(4),
    packetSize: buf.readUInt32LE(8),
    hostName: text(36, 'host name').toString('utf16le'),
    userName: text(40, 'user name').toString('utf16le'),
    password: decodePassword(text(44, 'password')),
    appName: text(48, 'application name').toString('utf16le'),
    serverName: text(52, 'server name').toString('utf16le'),
    database: text(68, 'database').toString('utf16le'),
  };
  const sspiOffset = buf.readUInt16LE(78);
  const sspiLength = buf.readUInt16LE(80);
  if (sspiLength > 0) {
    need(buf, sspiOffset + sspiLength, 'LOGIN7 SSPI');
    login.sspi = buf.subarray(sspiOffset, sspiOffset + sspiLength);
  }
  const optionFlags3 = buf[27]!;
  if (optionFlags3 & 0x10) {
    // fExtension: ibExtension points at a DWORD holding the offset of the feature extensions.
    const pointer = buf.readUInt16LE(56);
    need(buf, pointer + 4, 'LOGIN7 extension pointer');
    let at = buf.readUInt32LE(pointer);
    for (;;) {
      need(buf, at + 1, 'LOGIN7 feature list');
      const feature = buf[at]!;
      if (feature === 0xff) break;
      need(buf, at + 5, 'LOGIN7 feature');
      const len = buf.readUInt32LE(at + 1);
      need(buf, at + 5 + len, `LOGIN7 feature ${feature}`);
      const data = buf.subarray(at + 5, at + 5 + len);
      if (feature === 0x02 && data.length >= 5 && data[0]! >> 1 === 0x01) {
        // FEDAUTH with the SECURITYTOKEN library: options byte, token length, UCS-2 token.
        const tokenLength = data.readUInt32LE(1);
        if (5 + tokenLength > data.length) throw new MalformedRequest('LOGIN7 federated authentication token is truncated');
        login.accessToken = data.subarray(5, 5 + tokenLength).toString('utf16le');
      }
      at += 5 + len;
    }
  }
  return login;
}

// ---- SQL batch and RPC ----------------------------------------------------------------------

/** Skips ALL_HEADERS (transaction descriptor etc.), whose first DWORD is its own total length. */
function afterAllHeaders(buf: Buffer): number {
  need(buf, 4, 'ALL_HEADERS');
  const total = buf.readUInt32LE(0);
  if (total < 4) throw new MalformedRequest('ALL_HEADERS length is smaller than itself');
  need(buf, total, 'ALL_HEADERS');
  return total;
}

export function parseSqlBatch(buf: Buffer): string {
  return buf.subarray(afterAllHeaders(buf)).toString('utf16le');
}

export type ParamValue = string | number | bigint | boolean | null | Buffer;

export interface RpcRequest {
  /** The procedure name, or `sp_executesql` etc. for well-known procedure ids. */
  procedure: string;
  params: { name: string; value: ParamValue }[];
}

const PROC_IDS: Record<number, string> = {
  1: 'sp_cursor', 2: 'sp_cursoropen', 3: 'sp_cursorprepare', 4: 'sp_cursorexecute', 5: 'sp_cursorprepexec',
  6: 'sp_cursorunprepare', 7: 'sp_cursorfetch', 8: 'sp_cursoroption', 9: 'sp_cursorclose', 10: 'sp_executesql',
  11: 'sp_prepare', 12: 'sp_execute', 13: 'sp_prepexec', 14: 'sp_prepexecrpc', 15: 'sp_unprepare',
};

class Cursor {
  constructor(readonly buf: Buffer, public at: number) {}
  take(n: number, what: string): Buffer {
    need(this.buf, this.at + n, what);
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  u8(what: string) { return this.take(1, what)[0]!; }
  u16(what: string) { return this.take(2, what).readUInt16LE(0); }
  u32(what: string) { return this.take(4, what).readUInt32LE(0); }
  u64(what: string) { return this.take(8, what).readBigUInt64LE(0); }
  get done() { return this.at >= this.buf.length; }
}

/** A PLP (partially length-prefixed) value: total length, then chunks until a zero-length one. */
function readPlp(c: Cursor, what: string): Buffer | null {
  const total = c.u64(what);
  if (total === 0xffffffffffffffffn) return null;
  const parts: Buffer[] = [];
  for (;;) {
    const len = c.u32(what);
    if (len === 0) break;
    parts.push(c.take(len, what));
  }
  return Buffer.concat(parts);
}

function readParamValue(c: Cursor, name: string): ParamValue {
  const type = c.u8(`type of ${name}`);
  switch (type) {
    case 0x26: { // INTN
      c.u8('INTN size');
      const len = c.u8(`value of ${name}`);
      if (len === 0) return null;
      const b = c.take(len, `value of ${name}`);
      if (len === 1) return b.readUInt8(0);
      if (len === 2) return b.readInt16LE(0);
      if (len === 4) return b.readInt32LE(0);
      if (len === 8) return b.readBigInt64LE(0);
      throw new MalformedRequest(`INTN value of ${len} bytes in ${name}`);
    }
    case 0x68: { // BITN
      c.u8('BITN size');
      const len = c.u8(`value of ${name}`);
      return len === 0 ? null : c.take(len, name)[0] !== 0;
    }
    case 0x6d: { // FLTN
      c.u8('FLTN size');
      const len = c.u8(`value of ${name}`);
      if (len === 0) return null;
      const b = c.take(len, name);
      return len === 4 ? b.readFloatLE(0) : b.readDoubleLE(0);
    }
    case 0xe7: // NVARCHAR
    case 0xef: // NCHAR
    case 0xa7: // VARCHAR
    case 0xaf: { // CHAR
      const max = c.u16('max length');
      c.take(5, 'collation');
      const wide = type === 0xe7 || type === 0xef;
      let bytes: Buffer | null;
      if (max === 0xffff) bytes = readPlp(c, name);
      else {
        const len = c.u16(`length of ${name}`);
        bytes = len === 0xffff ? null : c.take(len, name);
      }
      return bytes === null ? null : bytes.toString(wide ? 'utf16le' : 'latin1');
    }
    case 0x63: { // NTEXT
      c.u32('NTEXT max length');
      c.take(5, 'collation');
      const len = c.u32(`length of ${name}`);
      return len === 0xffffffff ? null : c.take(len, name).toString('utf16le');
    }
    default:
      throw new MalformedRequest(`parameter ${name} has type 0x${type.toString(16)}, which this server does not read`);
  }
}

export function parseRpc(buf: Buffer): RpcRequest {
  const c = new Cursor(buf, afterAllHeaders(buf));
  const nameLength = c.u16('procedure name length');
  let procedure: string;
  if (nameLength === 0xffff) {
    const id = c.u16('procedure id');
    procedure = PROC_IDS[id] ?? `#${id}`;
  } else {
    procedure = c.take(nameLength * 2, 'procedure name').toString('utf16le');
  }
  c.u16('option flags');
  const params: RpcRequest['params'] = [];
  while (!c.done) {
    const first = c.buf[c.at]!;
    if (first === 0x80 || first === 0xff) break; // batch separator: only one request is read
    const len = c.u8('parameter name length');
    const name = c.take(len * 2, 'parameter name').toString('utf16le');
    c.u8('parameter status');
    params.push({ name, value: readParamValue(c, name || `parameter ${params.length + 1}`) });
  }
  return { procedure, params };
}
