/**
 * The server side of TDS 7.4 framing and tokens (MS-TDS): just what a SQL Server that answers
 * catalog queries needs to say. Every number here is from the protocol, none is tuned for a client.
 */

export const PACKET = {
  SQL_BATCH: 0x01,
  RPC: 0x03,
  TABULAR_RESULT: 0x04,
  ATTENTION: 0x06,
  TRANSACTION_MANAGER: 0x0e,
  LOGIN7: 0x10,
  SSPI: 0x11,
  PRELOGIN: 0x12,
} as const;

export const STATUS_EOM = 0x01;
export const HEADER_LENGTH = 8;
export const DEFAULT_PACKET_SIZE = 4096;
/** TDS 7.4, as sent in LOGINACK (big-endian on the wire). */
export const TDS_74 = 0x74000004;

const TOKEN = {
  COLMETADATA: 0x81,
  ERROR: 0xaa,
  INFO: 0xab,
  LOGINACK: 0xad,
  FEATUREEXTACK: 0xae,
  ROW: 0xd1,
  ENVCHANGE: 0xe3,
  DONE: 0xfd,
  DONEPROC: 0xfe,
  RETURNSTATUS: 0x79,
} as const;

export const DONE_STATUS = { FINAL: 0x00, MORE: 0x01, ERROR: 0x02, COUNT: 0x10, ATTN: 0x20 } as const;

/** SQL_Latin1_General_CP1_CI_AS: LCID 0x0409 with its sort flags, sort id 52. */
export const COLLATION = Buffer.from([0x09, 0x04, 0xd0, 0x00, 0x34]);

/** Reassembles packets into messages; a message ends with a packet whose status has EOM set. */
export class MessageReader {
  private pending: Buffer = Buffer.alloc(0);
  private parts: Buffer[] = [];
  private type = -1;

  constructor(private readonly onMessage: (type: number, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= HEADER_LENGTH) {
      const length = this.pending.readUInt16BE(2);
      if (length < HEADER_LENGTH) throw new Error(`malformed TDS packet: length ${length}`);
      if (this.pending.length < length) return;
      const type = this.pending[0]!;
      const status = this.pending[1]!;
      const body = this.pending.subarray(HEADER_LENGTH, length);
      this.pending = this.pending.subarray(length);
      // An attention may arrive between the packets of nothing else: it is always a message of its own.
      if (type === PACKET.ATTENTION) {
        this.onMessage(type, Buffer.alloc(0));
        continue;
      }
      if (this.type !== -1 && this.type !== type) throw new Error(`malformed TDS message: packet type ${type} inside a message of type ${this.type}`);
      this.type = type;
      this.parts.push(body);
      if (status & STATUS_EOM) {
        const payload = Buffer.concat(this.parts);
        this.parts = [];
        this.type = -1;
        this.onMessage(type, payload);
      }
    }
  }
}

/** Splits a message into packets of at most `packetSize` bytes. */
export function packets(type: number, payload: Buffer, packetSize: number): Buffer[] {
  const room = packetSize - HEADER_LENGTH;
  const out: Buffer[] = [];
  let id = 1;
  for (let offset = 0; offset < payload.length || out.length === 0; offset += room) {
    const body = payload.subarray(offset, offset + room);
    const last = offset + room >= payload.length;
    const header = Buffer.alloc(HEADER_LENGTH);
    header[0] = type;
    header[1] = last ? STATUS_EOM : 0;
    header.writeUInt16BE(HEADER_LENGTH + body.length, 2);
    header.writeUInt16BE(0, 4); // SPID
    header[6] = id++ & 0xff;
    out.push(Buffer.concat([header, body]));
  }
  return out;
}

/** Grows a buffer of tokens. */
export class TokenWriter {
  private chunks: Buffer[] = [];

  bytes(b: Buffer | number[]): this {
    this.chunks.push(Buffer.isBuffer(b) ? b : Buffer.from(b));
    return this;
  }
  u8(v: number): this {
    return this.bytes([v & 0xff]);
  }
  u16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(v);
    return this.bytes(b);
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    return this.bytes(b);
  }
  i32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    return this.bytes(b);
  }
  u64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(v);
    return this.bytes(b);
  }
  /** B_VARCHAR: one byte of character count, then UCS-2. */
  bVarchar(s: string): this {
    return this.u8(s.length).bytes(Buffer.from(s, 'utf16le'));
  }
  /** US_VARCHAR: two bytes of character count, then UCS-2. */
  usVarchar(s: string): this {
    return this.u16(s.length).bytes(Buffer.from(s, 'utf16le'));
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** A token whose body is preceded by its 2-byte length. */
function sized(type: number, body: Buffer): Buffer {
  const head = Buffer.alloc(3);
  head[0] = type;
  head.writeUInt16LE(body.length, 1);
  return Buffer.concat([head, body]);
}

export function envChange(kind: number, newValue: string, oldValue: string): Buffer {
  return sized(TOKEN.ENVCHANGE, new TokenWriter().u8(kind).bVarchar(newValue).bVarchar(oldValue).toBuffer());
}

export function collationChange(): Buffer {
  return sized(TOKEN.ENVCHANGE, new TokenWriter().u8(7).u8(COLLATION.length).bytes(COLLATION).u8(0).toBuffer());
}

export interface ServerMessage {
  number: number;
  state: number;
  /** Severity: 10 and below is information, 11 and above an error. */
  class: number;
  message: string;
  serverName: string;
  procName?: string;
  line?: number;
}

export function messageToken(m: ServerMessage): Buffer {
  const body = new TokenWriter()
    .i32(m.number)
    .u8(m.state)
    .u8(m.class)
    .usVarchar(m.message)
    .bVarchar(m.serverName)
    .bVarchar(m.procName ?? '')
    .i32(m.line ?? 1)
    .toBuffer();
  return sized(m.class > 10 ? TOKEN.ERROR : TOKEN.INFO, body);
}

export function loginAck(programName: string, version: [number, number, number]): Buffer {
  const tds = Buffer.alloc(4);
  tds.writeUInt32BE(TDS_74);
  const body = new TokenWriter()
    .u8(1) // interface: T-SQL
    .bytes(tds)
    .bVarchar(programName)
    .u8(version[0])
    .u8(version[1])
    .u8((version[2] >> 8) & 0xff)
    .u8(version[2] & 0xff)
    .toBuffer();
  return sized(TOKEN.LOGINACK, body);
}

/** FEATUREEXTACK acknowledging federated authentication (no nonce, no signature: a security token needs none). */
export function featureExtAckFedAuth(): Buffer {
  return new TokenWriter().u8(TOKEN.FEATUREEXTACK).u8(0x02).u32(0).u8(0xff).toBuffer();
}

export function done(status: number, rowCount = 0, token: number = TOKEN.DONE): Buffer {
  return new TokenWriter().u8(token).u16(status).u16(0xc1 /* SELECT */).u64(BigInt(rowCount)).toBuffer();
}

export function doneProc(status: number): Buffer {
  return done(status, 0, TOKEN.DONEPROC);
}

export function returnStatus(value: number): Buffer {
  return new TokenWriter().u8(TOKEN.RETURNSTATUS).i32(value).toBuffer();
}

// ---- result sets ----------------------------------------------------------------------------

export type ColumnType = 'int' | 'bigint' | 'bit' | 'float' | 'nvarchar' | 'nvarchar(max)' | 'datetime' | 'varbinary(max)';
export interface ColumnSpec {
  name: string;
  type: ColumnType;
}
export type CellValue = string | number | bigint | boolean | Date | Buffer | null;

const DAY_MS = 86_400_000;
const EPOCH_1900 = Date.UTC(1900, 0, 1);

export function colMetadata(columns: readonly ColumnSpec[]): Buffer {
  const w = new TokenWriter().u8(TOKEN.COLMETADATA).u16(columns.length);
  for (const c of columns) {
    w.u32(0).u16(0x0001); // user type, flags: nullable
    switch (c.type) {
      case 'int':
        w.u8(0x26).u8(4);
        break;
      case 'bigint':
        w.u8(0x26).u8(8);
        break;
      case 'bit':
        w.u8(0x68).u8(1);
        break;
      case 'float':
        w.u8(0x6d).u8(8);
        break;
      case 'datetime':
        w.u8(0x6f).u8(8);
        break;
      case 'nvarchar':
        w.u8(0xe7).u16(8000).bytes(COLLATION);
        break;
      case 'nvarchar(max)':
        w.u8(0xe7).u16(0xffff).bytes(COLLATION);
        break;
      case 'varbinary(max)':
        w.u8(0xa5).u16(0xffff);
        break;
    }
    w.bVarchar(c.name);
  }
  return w.toBuffer();
}

export function row(columns: readonly ColumnSpec[], values: readonly CellValue[]): Buffer {
  const w = new TokenWriter().u8(TOKEN.ROW);
  columns.forEach((c, i) => {
    const v = values[i] ?? null;
    switch (c.type) {
      case 'int':
        if (v === null) w.u8(0);
        else w.u8(4).i32(Number(v));
        break;
      case 'bigint':
        if (v === null) w.u8(0);
        else {
          const b = Buffer.alloc(8);
          b.writeBigInt64LE(BigInt(typeof v === 'number' ? Math.trunc(v) : (v as bigint | string)));
          w.u8(8).bytes(b);
        }
        break;
      case 'bit':
        if (v === null) w.u8(0);
        else w.u8(1).u8(v ? 1 : 0);
        break;
      case 'float': {
        if (v === null) w.u8(0);
        else {
          const b = Buffer.alloc(8);
          b.writeDoubleLE(Number(v));
          w.u8(8).bytes(b);
        }
        break;
      }
      case 'datetime': {
        if (v === null) w.u8(0);
        else {
          // Sent as the server's local wall-clock time; profiles hold wall-clock times, so the UTC fields are that.
          const ms = (v instanceof Date ? v.getTime() : Date.parse(String(v))) - EPOCH_1900;
          const days = Math.floor(ms / DAY_MS);
          const ticks = Math.round(((ms - days * DAY_MS) * 300) / 1000);
          w.u8(8).i32(days).u32(ticks);
        }
        break;
      }
      case 'nvarchar': {
        if (v === null) w.u16(0xffff);
        else {
          const b = Buffer.from(String(v).slice(0, 4000), 'utf16le');
          w.u16(b.length).bytes(b);
        }
        break;
      }
      case 'nvarchar(max)':
      case 'varbinary(max)': {
        if (v === null) w.u64(0xffffffffffffffffn);
        else {
          const b = c.type === 'varbinary(max)' ? Buffer.from(v as Buffer) : Buffer.from(String(v), 'utf16le');
          w.u64(BigInt(b.length));
          if (b.length) w.u32(b.length).bytes(b);
          w.u32(0);
        }
        break;
      }
    }
  });
  return w.toBuffer();
}
