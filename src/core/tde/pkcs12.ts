/**
 * The PKCS#12 (PFX) that Managed Instance's tdeCertificates operation takes: the certificate
 * exactly as SQL Server holds it (CERTENCODED's DER, so its SHA-1 thumbprint, by which the
 * database encryption key names it, is unchanged) and its private key, protected by a password.
 * Built in memory with node-forge: key bag pkcs8ShroudedKeyBag encrypted with
 * pbeWithSHAAnd3-KeyTripleDES-CBC, certificate bag in clear, HMAC-SHA1 over the whole
 * (RFC 7292), the classic layout Windows and .NET read, as pvk2pfx made it for Microsoft's own
 * instructions. Nothing is written to disk.
 */
import { createHash, randomInt } from 'node:crypto';
import forge from 'node-forge';
import type { RsaPrivateKeyParts } from './pvk';

export class CertificateMaterialError extends Error {
  override readonly name = 'CertificateMaterialError';
}

/** SQL Server's thumbprint of a certificate: SHA-1 of its DER, as 0x-prefixed upper-case hex. */
export function certificateThumbprint(der: Buffer): string {
  return `0x${createHash('sha1').update(der).digest('hex').toUpperCase()}`;
}

/** The same thumbprint written any way SQL Server or a user writes it: 0x..., with or without 0x, any case. */
export function normalizeThumbprint(text: string): string {
  const hex = text.trim().replace(/^0x/i, '').toUpperCase();
  if (!/^[0-9A-F]{40}$/.test(hex)) throw new Error(`"${text}" is not a certificate thumbprint (40 hexadecimal digits)`);
  return `0x${hex}`;
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
/**
 * A one-time password: 32 characters of letters and digits (190 bits), ASCII so that every
 * encoding a server may hash it in agrees, and with upper, lower and digit so that password
 * policies accept it.
 */
export function oneTimePassword(): string {
  for (;;) {
    const p = Array.from({ length: 32 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    if (/[A-Z]/.test(p) && /[a-z]/.test(p) && /\d/.test(p)) return p;
  }
}

const bigInt = (b: Buffer) => new forge.jsbn.BigInteger(b.toString('hex') || '0', 16);

export interface PfxInput {
  /** The certificate's DER (CERTENCODED). */
  certificate: Buffer;
  privateKey: RsaPrivateKeyParts;
  password: string;
  friendlyName?: string;
}

/** The certificate's public key must be the private key's: a PFX with a foreign key would be refused later, less clearly. */
function checkPair(cert: forge.pki.Certificate, key: RsaPrivateKeyParts): void {
  const pub = cert.publicKey as forge.pki.rsa.PublicKey;
  if (!pub.n || pub.n.compareTo(bigInt(key.modulus)) !== 0 || pub.e.intValue() !== key.publicExponent) {
    throw new CertificateMaterialError('the private key does not belong to the certificate (the moduli differ)');
  }
}

/** A password-protected PFX of the certificate and its private key. */
export function buildPfx(input: PfxInput): Buffer {
  let cert: forge.pki.Certificate;
  try {
    cert = forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(input.certificate.toString('binary'))));
  } catch (e) {
    throw new CertificateMaterialError(`the certificate is not a DER X.509 certificate with an RSA key: ${(e as Error).message}`);
  }
  // node-forge re-encodes the certificate from what it parsed: make sure that is the same DER.
  const again = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  if (!again.equals(input.certificate)) throw new CertificateMaterialError('the certificate does not re-encode to the same DER, so its thumbprint would change');
  checkPair(cert, input.privateKey);
  const k = input.privateKey;
  const key = forge.pki.setRsaPrivateKey(
    bigInt(k.modulus), new forge.jsbn.BigInteger(String(k.publicExponent), 10), bigInt(k.privateExponent), bigInt(k.prime1), bigInt(k.prime2),
    bigInt(k.exponent1), bigInt(k.exponent2), bigInt(k.coefficient),
  );
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], input.password, {
    algorithm: '3des',
    count: 10_000,
    ...(input.friendlyName && { friendlyName: input.friendlyName }),
  });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/** What a PFX holds, read with its password (to check one before sending it). */
export function readPfx(pfx: Buffer, password: string): { thumbprints: string[]; hasPrivateKey: boolean } {
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(pfx.toString('binary'))), password);
  const certs = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [];
  const keys = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag! })[forge.pki.oids.keyBag!] ?? []),
  ];
  return {
    thumbprints: certs.filter((b) => b.cert).map((b) => certificateThumbprint(Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(b.cert!)).getBytes(), 'binary'))),
    hasPrivateKey: keys.some((b) => b.key),
  };
}
