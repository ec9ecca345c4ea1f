/**
 * The TDE side of the source: which databases are encrypted and by which certificate in
 * master, and that certificate with its private key, read over the connection: CERTENCODED
 * (the DER certificate) and CERTPRIVATEKEY (the private key as a PVK blob, encrypted with a
 * one-time password sent as a parameter, never in the query text). No file is written on the
 * source server, no share is needed. CERTENCODED and CERTPRIVATEKEY are SQL Server 2012 and later.
 */
import { sourceQuery, type QueryOptions, type SourceConnection, type SourceQuery } from '../source/connection';
import { SourceError } from '../source/errors';
import { certificateThumbprint, oneTimePassword } from './pkcs12';
import { readPvk, type RsaPrivateKeyParts } from './pvk';

export interface TdeDatabase {
  database: string;
  /** 0 none ... 3 encrypted, 2 encryption in progress, 5 decryption in progress (sys.dm_database_encryption_keys). */
  encryptionState: number;
  /** CERTIFICATE or ASYMMETRIC KEY (EKM). */
  encryptorType: string;
  /** 0x + 40 hex, upper case. */
  thumbprint: string;
  certificateId: number | null;
  certificateName: string | null;
  /** MK (master key: CERTPRIVATEKEY works), PW (a password), NA (no private key). */
  privateKeyEncryption: string | null;
  expiry: string | null;
}

export function tdeDatabasesQuery(majorVersion: number): SourceQuery {
  const encryptor = majorVersion >= 12 ? 'k.encryptor_type' : "CAST(N'CERTIFICATE' AS nvarchar(32))";
  return sourceQuery('tde.databases', `
SELECT d.name AS database_name, k.encryption_state, ${encryptor} AS encryptor_type,
  CONVERT(nvarchar(100), k.encryptor_thumbprint, 1) AS thumbprint, c.certificate_id, c.name AS certificate_name,
  c.pvt_key_encryption_type, c.expiry_date
FROM sys.dm_database_encryption_keys AS k
JOIN sys.databases AS d ON d.database_id = k.database_id
LEFT JOIN master.sys.certificates AS c ON c.thumbprint = k.encryptor_thumbprint
WHERE k.database_id > 4
ORDER BY d.name`);
}

type Row = Record<string, unknown>;
const opt = (v: unknown) => (v === null || v === undefined || v === '' ? null : String(v));

export async function readTdeDatabases(conn: SourceConnection, majorVersion: number, options: QueryOptions = {}): Promise<TdeDatabase[]> {
  const rows = await conn.query<Row>(tdeDatabasesQuery(majorVersion), options);
  return rows.map((r) => ({
    database: String(r.database_name),
    encryptionState: Number(r.encryption_state),
    encryptorType: String(r.encryptor_type ?? 'CERTIFICATE'),
    thumbprint: String(r.thumbprint ?? '').toUpperCase().replace(/^0X/, '0x'),
    certificateId: r.certificate_id === null || r.certificate_id === undefined ? null : Number(r.certificate_id),
    certificateName: opt(r.certificate_name),
    privateKeyEncryption: opt(r.pvt_key_encryption_type),
    expiry: r.expiry_date instanceof Date ? r.expiry_date.toISOString().slice(0, 10) : opt(r.expiry_date),
  }));
}

export const EXPORT_QUERY_ID = 'tde.export';

export function exportCertificateQuery(certificateId: number, password: string): SourceQuery {
  return sourceQuery(EXPORT_QUERY_ID, `
SELECT c.name, CONVERT(nvarchar(100), c.thumbprint, 1) AS thumbprint, CERTENCODED(c.certificate_id) AS certificate,
  CERTPRIVATEKEY(c.certificate_id, @password) AS private_key
FROM master.sys.certificates AS c
WHERE c.certificate_id = @certificateId`, [
    { name: 'certificateId', type: 'int', value: certificateId },
    { name: 'password', type: 'nvarchar', value: password },
  ]);
}

/** A certificate and its private key, in memory only. Call wipe() when done. */
export interface CertificateMaterial {
  name: string;
  thumbprint: string;
  certificate: Buffer;
  privateKey: RsaPrivateKeyParts;
  wipe(): void;
}

export class TdeExportError extends Error {
  override readonly name = 'TdeExportError';
}

/**
 * Reads a certificate and its private key from the source's master. The PVK is decrypted here
 * with the one-time password, which is dropped right after; the raw bytes are zeroed.
 */
export async function exportCertificate(conn: SourceConnection, certificateId: number, options: QueryOptions = {}): Promise<CertificateMaterial> {
  let password: string | undefined = oneTimePassword();
  let rows: Row[];
  try {
    rows = await conn.query<Row>(exportCertificateQuery(certificateId, password), options);
  } catch (e) {
    password = undefined;
    if (e instanceof SourceError && e.number === 195) throw new TdeExportError(`${conn.server} has no CERTENCODED/CERTPRIVATEKEY (SQL Server 2012 or later is needed to read a certificate over the connection)`);
    throw e;
  }
  const row = rows[0];
  if (!row) throw new TdeExportError(`certificate ${certificateId} is not in master on ${conn.server}`);
  const cert = row.certificate;
  const pvk = row.private_key;
  if (!Buffer.isBuffer(cert) || cert.length === 0) throw new TdeExportError(`${conn.server} returned no certificate for ${String(row.name)}`);
  if (!Buffer.isBuffer(pvk) || pvk.length === 0) {
    throw new TdeExportError(`${conn.server} returned no private key for certificate ${String(row.name)}: the reading login needs CONTROL on the certificate and the master key must be open (or the key is protected by a password)`);
  }
  let privateKey: RsaPrivateKeyParts;
  try {
    privateKey = readPvk(pvk, password);
  } finally {
    password = undefined;
    pvk.fill(0);
  }
  const thumbprint = certificateThumbprint(cert);
  const stated = String(row.thumbprint ?? '').toUpperCase().replace(/^0X/, '0x');
  if (stated && stated !== thumbprint) throw new TdeExportError(`certificate ${String(row.name)}: its DER's SHA-1 ${thumbprint} is not the thumbprint SQL Server states (${stated})`);
  return {
    name: String(row.name),
    thumbprint,
    certificate: cert,
    privateKey,
    wipe: () => {
      for (const k of Object.values(privateKey)) if (Buffer.isBuffer(k)) k.fill(0);
    },
  };
}
