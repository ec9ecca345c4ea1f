/**
 * Reading the private key SQL Server's CERTPRIVATEKEY returns. Microsoft documents that it
 * "returns the private key in PVK format" encrypted with the password given; PVK is the old
 * CryptoAPI private-key file (the format of BACKUP CERTIFICATE ... WITH PRIVATE KEY too):
 *
 *   24-byte header, little-endian DWORDs: magic 0xB0B5F11E, reserved 0, key spec
 *   (1 AT_KEYEXCHANGE, 2 AT_SIGNATURE), encrypted (0 or 1), salt length, key blob length;
 *   then the salt, then a PRIVATEKEYBLOB: an 8-byte BLOBHEADER (bType 7, bVersion 2, reserved,
 *   aiKeyAlg) left in clear, then RSAPUBKEY ('RSA2', bit length, public exponent) and the key's
 *   numbers, little-endian: modulus, prime1, prime2, exponent1, exponent2, coefficient,
 *   private exponent. When encrypted, everything after the BLOBHEADER is RC4 with the first 16
 *   bytes of SHA-1(salt || password) as key ("strong"), or its first 5 bytes followed by 11 zero
 *   bytes (40-bit "weak" keys of export-era tools).
 *
 * This follows OpenSSL's reader (crypto/pem/pvkfmt.c: derive_pvk_key, do_PVK_body, b2i_rsa),
 * which tries the strong key, then the weak one, and knows it has the right one when the
 * decrypted blob starts with the 'RSA2' magic. The password is hashed as bytes: we send an
 * ASCII-only one-time password, so ANSI, UTF-8 and Latin-1 agree; UTF-16LE is also tried.
 * RC4 is written out here because Node's OpenSSL 3 keeps it in the legacy provider.
 */
import { createHash } from 'node:crypto';

export const PVK_MAGIC = 0xb0b5f11e;
const PRIVATEKEYBLOB = 0x07;
const RSA2 = 0x32415352;

export class PvkError extends Error {
  override readonly name = 'PvkError';
}

/** The numbers of an RSA private key, big-endian (as ASN.1 and JWK want them). */
export interface RsaPrivateKeyParts {
  modulus: Buffer;
  publicExponent: number;
  privateExponent: Buffer;
  prime1: Buffer;
  prime2: Buffer;
  exponent1: Buffer;
  exponent2: Buffer;
  coefficient: Buffer;
  bits: number;
}

/** RC4 (alleged): the cipher of the PVK format. Encrypting and decrypting are the same. */
export function rc4(key: Buffer, data: Buffer): Buffer {
  const s = new Uint8Array(256);
  for (let i = 0; i < 256; i++) s[i] = i;
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  const out = Buffer.alloc(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 0xff;
    j = (j + s[i]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
    out[n] = data[n]! ^ s[(s[i]! + s[j]!) & 0xff]!;
  }
  return out;
}

/** The two RC4 keys a PVK password can mean: 128-bit, then 40-bit. */
export function pvkKeys(salt: Buffer, password: Buffer): Buffer[] {
  const digest = createHash('sha1').update(salt).update(password).digest();
  const strong = digest.subarray(0, 16);
  const weak = Buffer.concat([digest.subarray(0, 5), Buffer.alloc(11)]);
  return [strong, weak];
}

const reversed = (b: Buffer) => Buffer.from(b).reverse();

/** Reads a PRIVATEKEYBLOB's RSA numbers (after the 8-byte BLOBHEADER). */
function rsaFromBlob(body: Buffer): RsaPrivateKeyParts {
  if (body.length < 12 || body.readUInt32LE(0) !== RSA2) throw new PvkError('the key blob is not an RSA private key (no RSA2 magic)');
  const bits = body.readUInt32LE(4);
  const publicExponent = body.readUInt32LE(8);
  const n = (bits + 7) >> 3;
  const h = (bits + 15) >> 4;
  const need = 12 + 2 * n + 5 * h;
  if (bits < 512 || bits > 16384 || body.length < need) throw new PvkError(`the RSA key blob is too short for a ${bits}-bit key`);
  let at = 12;
  const take = (len: number) => {
    const v = reversed(body.subarray(at, at + len));
    at += len;
    return v;
  };
  const modulus = take(n);
  const prime1 = take(h);
  const prime2 = take(h);
  const exponent1 = take(h);
  const exponent2 = take(h);
  const coefficient = take(h);
  const privateExponent = take(n);
  return { modulus, publicExponent, privateExponent, prime1, prime2, exponent1, exponent2, coefficient, bits };
}

/**
 * The RSA private key in a PVK blob, decrypted with `password`. Throws PvkError saying what is
 * wrong (not a PVK, not RSA, the password does not open it); never echoes the password.
 */
export function readPvk(pvk: Buffer, password: string): RsaPrivateKeyParts {
  if (pvk.length < 24 || pvk.readUInt32LE(0) !== PVK_MAGIC) throw new PvkError('the private key is not in PVK format (no 0xB0B5F11E magic)');
  const encrypted = pvk.readUInt32LE(12) !== 0;
  const saltLength = pvk.readUInt32LE(16);
  const keyLength = pvk.readUInt32LE(20);
  if (saltLength > 10240 || keyLength > 102400 || 24 + saltLength + keyLength > pvk.length) throw new PvkError('the PVK header gives lengths past the end of the data');
  if (encrypted && saltLength === 0) throw new PvkError('the PVK header says encrypted but has no salt');
  const salt = pvk.subarray(24, 24 + saltLength);
  const blob = pvk.subarray(24 + saltLength, 24 + saltLength + keyLength);
  if (blob.length < 8 || blob[0] !== PRIVATEKEYBLOB || blob[1] !== 2) throw new PvkError('the PVK does not hold a private key blob (version 2)');
  const body = blob.subarray(8);
  if (!encrypted) return rsaFromBlob(body);
  for (const pw of [Buffer.from(password, 'latin1'), Buffer.from(password, 'utf16le')]) {
    for (const key of pvkKeys(salt, pw)) {
      const clear = rc4(key, body);
      if (clear.readUInt32LE(0) === RSA2) return rsaFromBlob(clear);
    }
  }
  throw new PvkError('the password does not decrypt the private key');
}
