/**
 * What the sandbox's CERTPRIVATEKEY returns: an RSA private key as a PVK blob (the format
 * Microsoft documents for CERTPRIVATEKEY), encrypted with the caller's password: RC4 keyed with
 * the first 16 bytes of SHA-1(salt || password), everything after the 8-byte BLOBHEADER.
 * Written from the format's description (OpenSSL's crypto/pem/pvkfmt.c i2b_PVK), apart from the
 * product's reader; tests check both against `openssl rsa -inform PVK`.
 */
import { createHash, createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';

function rc4(key: Buffer, data: Buffer): Buffer {
  const s = Array.from({ length: 256 }, (_, i) => i);
  let j = 0;
  for (let i = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) % 256;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  const out = Buffer.alloc(data.length);
  let a = 0;
  let b = 0;
  for (let n = 0; n < data.length; n++) {
    a = (a + 1) % 256;
    b = (b + s[a]!) % 256;
    [s[a], s[b]] = [s[b]!, s[a]!];
    out[n] = data[n]! ^ s[(s[a]! + s[b]!) % 256]!;
  }
  return out;
}

/** A base64url JWK number as a little-endian buffer of exactly `len` bytes. */
function le(b64url: string, len: number): Buffer {
  const big = Buffer.from(b64url, 'base64url');
  const out = Buffer.alloc(len);
  Buffer.from(big.subarray(Math.max(0, big.length - len))).reverse().copy(out, 0);
  return out;
}

export function pvkOf(key: KeyObject | string, password: string, salt: Buffer = randomBytes(16)): Buffer {
  const jwk = (typeof key === 'string' ? createPrivateKey(key) : key).export({ format: 'jwk' });
  if (jwk.kty !== 'RSA') throw new Error('the sandbox writes PVK for RSA keys only');
  const bits = Buffer.from(jwk.n!, 'base64url').length * 8;
  const n = bits / 8;
  const h = (bits + 15) >> 4;
  const head = Buffer.alloc(12);
  head.writeUInt32LE(0x32415352, 0); // 'RSA2'
  head.writeUInt32LE(bits, 4);
  head.writeUInt32LE(Buffer.from(jwk.e!, 'base64url').readUIntBE(0, Buffer.from(jwk.e!, 'base64url').length), 8);
  const body = Buffer.concat([head, le(jwk.n!, n), le(jwk.p!, h), le(jwk.q!, h), le(jwk.dp!, h), le(jwk.dq!, h), le(jwk.qi!, h), le(jwk.d!, n)]);
  const rc4Key = createHash('sha1').update(salt).update(Buffer.from(password, 'latin1')).digest().subarray(0, 16);
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xb0b5f11e, 0);
  header.writeUInt32LE(0, 4);
  header.writeUInt32LE(1, 8); // AT_KEYEXCHANGE
  header.writeUInt32LE(1, 12); // encrypted
  header.writeUInt32LE(salt.length, 16);
  header.writeUInt32LE(8 + body.length, 20);
  const blobHeader = Buffer.from([0x07, 0x02, 0x00, 0x00, 0x00, 0xa4, 0x00, 0x00]); // PRIVATEKEYBLOB, v2, CALG_RSA_KEYX
  return Buffer.concat([header, salt, blobHeader, rc4(rc4Key, body)]);
}
