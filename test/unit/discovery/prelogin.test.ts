/** TDS PRELOGIN ([MS-TDS] 2.2.6.5): what discovery sends, and the server's answer read for its version. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePreloginReply, encodePrelogin, TdsFormatError } from '../../../src/core/discovery/prelogin';
import { buildPrelogin, ENCRYPT, parsePrelogin, PRELOGIN_OPTION } from '../../../sandbox/tds/requests';

function packet(type: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h[0] = type;
  h[1] = 1;
  h.writeUInt16BE(8 + payload.length, 2);
  return Buffer.concat([h, payload]);
}

test('the PRELOGIN sent is one TDS packet (type 0x12, end of message) that a TDS server reads: encryption not supported', () => {
  const p = encodePrelogin();
  assert.equal(p[0], 0x12);
  assert.equal(p[1], 0x01);
  assert.equal(p.readUInt16BE(2), p.length);
  const options = parsePrelogin(p.subarray(8));
  assert.deepEqual(options.get(PRELOGIN_OPTION.ENCRYPTION), Buffer.from([ENCRYPT.NOT_SUP]));
  assert.equal(options.get(PRELOGIN_OPTION.VERSION)?.length, 6);
});

test('the answer: VERSION (major, minor, build big-endian, subbuild) named, ENCRYPTION read', () => {
  const version = Buffer.from([15, 0, 0x10, 0xca, 0, 0]); // 15.0.4298
  const r = decodePreloginReply(packet(0x04, buildPrelogin([[PRELOGIN_OPTION.VERSION, version], [PRELOGIN_OPTION.ENCRYPTION, Buffer.from([ENCRYPT.REQ])]])));
  assert.deepEqual({ v: r.version, p: r.productName, e: r.encryption }, { v: '15.0.4298', p: 'SQL Server 2019', e: 'required' });
  const r2 = decodePreloginReply(packet(0x04, buildPrelogin([[PRELOGIN_OPTION.VERSION, Buffer.from([10, 50, 0x0f, 0xa0, 0, 7])]])));
  assert.deepEqual({ v: r2.version, p: r2.productName, e: r2.encryption }, { v: '10.50.4000.7', p: 'SQL Server 2008 R2', e: undefined });
});

test('what is not a PRELOGIN answer is refused with why', () => {
  const ok = buildPrelogin([[PRELOGIN_OPTION.VERSION, Buffer.from([16, 0, 0, 1, 0, 0])]]);
  for (const [buf, why] of [
    [Buffer.from([4, 1, 0]), /shorter than a TDS packet header/],
    [packet(0x12, ok), /not a PRELOGIN answer/],
    [Buffer.concat([packet(0x04, ok).subarray(0, 2), Buffer.from([0x01, 0x00]), packet(0x04, ok).subarray(4)]), /says 256 bytes/],
    [packet(0x04, buildPrelogin([[PRELOGIN_OPTION.ENCRYPTION, Buffer.from([0])]])), /no VERSION option/],
    [packet(0x04, Buffer.from([0x00, 0x00, 0x06, 0x00, 0x06])), /runs past the end|no terminator/],
  ] as const) {
    assert.throws(() => decodePreloginReply(buf), (e: Error) => e instanceof TdsFormatError && why.test(e.message), String(why));
  }
});
