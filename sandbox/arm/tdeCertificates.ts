/**
 * Microsoft.Sql ManagedInstanceTdeCertificates_Create for the ARM emulator:
 * POST .../managedInstances/{mi}/tdeCertificates, body {properties: {privateBlob, certPassword}},
 * a long-running operation (200 or 202; sandbox/specs/.../Microsoft.Sql/SQL/stable/2025-01-01/
 * ManagedInstanceTdeCertificates.json, which lists the 400 errors MissingPrivateBlob,
 * InvalidPrivateBlobOrPassword, PrivateBlobWithoutPrivateKey, InvalidResourceRequestBody and
 * CertificateAlreadyExists). The first four are answered at once; CertificateAlreadyExists
 * fails the operation, since the instance finds the duplicate when it installs the certificate.
 *
 * The PFX is opened with Node's OpenSSL (tls.createSecureContext), not with the library the
 * product builds it with, so a PFX the product gets wrong is refused here as the service would.
 * Certificates are kept per instance in a TdeCertificateStore, a side table, since the world's
 * instance record has no place for them; the migration service asks the same store
 * (sandbox/dms/tdeRestoreCheck.ts) and the sandbox managed instance lists it in master.
 *
 * The ARM operations on top of it are in managedInstanceTdeCertificates.ts.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';

/** api-versions of the operation: every Microsoft.Sql version that has it, and the one @azure/arm-sql 10 sends. */
export const TDE_CERTIFICATE_API_VERSIONS = [
  '2020-11-01-preview', '2021-02-01-preview', '2021-05-01-preview', '2021-08-01-preview', '2021-11-01-preview', '2021-11-01',
  '2022-02-01-preview', '2022-05-01-preview', '2022-08-01-preview', '2022-11-01-preview', '2023-02-01-preview', '2023-05-01-preview',
  '2023-08-01-preview', '2023-08-01', '2024-05-01-preview', '2025-01-01',
] as const;

export const TDE_CERTIFICATES_ROUTE = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Sql/managedInstances/{managedInstanceName}/tdeCertificates';

export interface TdeCertificateRecord {
  /** 0x + upper-case SHA-1 of the DER, as sys.certificates shows it. */
  thumbprint: string;
  /** The subject's common name (what the instance names the certificate in master). */
  name: string;
  uploadedAt: string;
}

/** Certificates per managed instance, keyed by any stable instance key (its resource id, lower case). */
export class TdeCertificateStore {
  private readonly byInstance = new Map<string, Map<string, TdeCertificateRecord>>();

  private of(instance: string): Map<string, TdeCertificateRecord> {
    const key = instance.toLowerCase();
    let m = this.byInstance.get(key);
    if (!m) this.byInstance.set(key, (m = new Map()));
    return m;
  }

  holds(instance: string, thumbprint: string): boolean {
    return this.of(instance).has(normalize(thumbprint));
  }

  list(instance: string): TdeCertificateRecord[] {
    return [...this.of(instance).values()];
  }

  add(instance: string, record: TdeCertificateRecord): void {
    this.of(instance).set(record.thumbprint, record);
  }
}

const normalize = (t: string) => `0x${t.trim().replace(/^0x/i, '').toUpperCase()}`;

export type TdeUploadError = { status: number; code: string; message: string };

/** What the service checks when the request arrives; the certificate it holds when the body is good. */
export function checkTdeCertificateBody(body: unknown): { ok: true; certificate: TdeCertificateRecord } | { ok: false; error: TdeUploadError } {
  const bad = (code: string, message: string) => ({ ok: false as const, error: { status: 400, code, message } });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return bad('InvalidResourceRequestBody', 'The resource or resource properties in the request body is empty or invalid.');
  const props = (body as { properties?: unknown }).properties;
  if (typeof props !== 'object' || props === null) return bad('InvalidResourceRequestBody', 'The resource or resource properties in the request body is empty or invalid.');
  const { privateBlob, certPassword } = props as { privateBlob?: unknown; certPassword?: unknown };
  if (typeof privateBlob !== 'string' || privateBlob === '') return bad('MissingPrivateBlob', 'The private blob is missing.');
  if (certPassword !== undefined && typeof certPassword !== 'string') return bad('InvalidResourceRequestBody', 'The resource or resource properties in the request body is empty or invalid.');
  const pfx = Buffer.from(privateBlob, 'base64');
  let der: Buffer | undefined;
  try {
    const ctx = createSecureContext({ pfx, passphrase: certPassword ?? '' }) as unknown as { context: { getCertificate(): Buffer | null } };
    der = ctx.context.getCertificate() ?? undefined;
  } catch (e) {
    const why = (e as Error).message;
    if (/private key/i.test(why)) return bad('PrivateBlobWithoutPrivateKey', 'The provided blob does not contain private key.');
    return bad('InvalidPrivateBlobOrPassword', 'Invalid private blob or password specified.');
  }
  if (!der) return bad('InvalidPrivateBlobOrPassword', 'Invalid private blob or password specified.');
  const cert = new X509Certificate(der);
  const cn = /CN=([^,\n]+)/.exec(cert.subject)?.[1] ?? cert.subject;
  return { ok: true, certificate: { thumbprint: `0x${createHash('sha1').update(der).digest('hex').toUpperCase()}`, name: cn, uploadedAt: '' } };
}

/**
 * The operation against a store: checked when the request arrives (a 400 with the service's
 * code), then `complete` is the work the long-running operation does when it ends: it stores
 * the certificate, or fails with CertificateAlreadyExists.
 */
export function startTdeCertificateUpload(store: TdeCertificateStore, instance: string, body: unknown, now: () => Date = () => new Date()):
  | { accepted: false; error: TdeUploadError }
  | { accepted: true; thumbprint: string; complete(): { code: string; message: string } | undefined } {
  const checked = checkTdeCertificateBody(body);
  if (!checked.ok) return { accepted: false, error: checked.error };
  const cert = checked.certificate;
  return {
    accepted: true,
    thumbprint: cert.thumbprint,
    complete: () => {
      if (store.holds(instance, cert.thumbprint)) {
        return { code: 'CertificateAlreadyExists', message: `Certificate with thumbprint '${cert.thumbprint}' already exists on the managed instance.` };
      }
      store.add(instance, { ...cert, uploadedAt: now().toISOString() });
      return undefined;
    },
  };
}
