/**
 * The TDE certificate plan: for each encrypted database chosen, the certificate its database
 * encryption key uses, and what to do: upload it to the managed instance, nothing (the instance
 * holds it already), or why it cannot be moved. Applying it exports each certificate from the
 * source over the connection, builds the PFX in memory with a one-time password, uploads it
 * through ARM and wipes the key material. Nothing of a key reaches a file, a log or saved state.
 */
import type { AzureContext } from '../azure/context';
import type { QueryOptions, SourceConnection } from '../source/connection';
import { buildPfx, oneTimePassword } from './pkcs12';
import { exportCertificate, type TdeDatabase } from './sourceCertificates';
import { uploadTdeCertificate } from './upload';

export interface TdeCertificatePlanItem {
  thumbprint: string;
  certificate: string | null;
  certificateId: number | null;
  databases: string[];
  action: 'upload' | 'on-target' | 'cannot';
  reason?: string;
}

export interface TdePlan {
  items: TdeCertificatePlanItem[];
  /** Databases asked for that have no TDE: nothing to do for them. */
  notEncrypted: string[];
  /** Whether the target's certificates could be read (from its master); if not, every certificate is uploaded and "already exists" counts as done. */
  targetKnown: boolean;
}

/** States of sys.dm_database_encryption_keys whose backups are encrypted (all but 0 none and 1 unencrypted). */
export const ENCRYPTED_STATES = new Set([2, 3, 4, 5, 6]);

function cannot(d: TdeDatabase): string | undefined {
  if (d.encryptorType.toUpperCase() !== 'CERTIFICATE') {
    return `its encryption key is protected by an ${d.encryptorType.toLowerCase()} (EKM), not a certificate: set up customer-managed TDE on the instance with that key in Azure Key Vault`;
  }
  if (d.certificateId === null) return `no certificate with thumbprint ${d.thumbprint} is in master on the source`;
  if (d.privateKeyEncryption === 'NA') return `certificate ${d.certificateName} has no private key on the source`;
  if (d.privateKeyEncryption === 'PW') {
    return `the private key of certificate ${d.certificateName} is protected by a password, not the master key: CERTPRIVATEKEY needs it; protect it with the master key first (ALTER CERTIFICATE ${d.certificateName} WITH PRIVATE KEY (DECRYPTION BY PASSWORD = '...'))`;
  }
  return undefined;
}

export function planTdeCertificates(tde: TdeDatabase[], onTarget: Set<string> | undefined, databases?: string[]): TdePlan {
  const wanted = databases?.length ? new Set(databases.map((d) => d.toLowerCase())) : undefined;
  const chosen = tde.filter((d) => ENCRYPTED_STATES.has(d.encryptionState) && (!wanted || wanted.has(d.database.toLowerCase())));
  const notEncrypted = databases?.filter((d) => !chosen.some((c) => c.database.toLowerCase() === d.toLowerCase())) ?? [];
  const byThumbprint = new Map<string, TdeCertificatePlanItem>();
  for (const d of chosen) {
    const existing = byThumbprint.get(d.thumbprint);
    if (existing) {
      existing.databases.push(d.database);
      continue;
    }
    const why = cannot(d);
    const item: TdeCertificatePlanItem = why
      ? { thumbprint: d.thumbprint, certificate: d.certificateName, certificateId: d.certificateId, databases: [d.database], action: 'cannot', reason: why }
      : onTarget?.has(d.thumbprint)
        ? { thumbprint: d.thumbprint, certificate: d.certificateName, certificateId: d.certificateId, databases: [d.database], action: 'on-target' }
        : { thumbprint: d.thumbprint, certificate: d.certificateName, certificateId: d.certificateId, databases: [d.database], action: 'upload' };
    byThumbprint.set(d.thumbprint, item);
  }
  return { items: [...byThumbprint.values()], notEncrypted, targetKnown: onTarget !== undefined };
}

export interface TdeCertificateResult {
  thumbprint: string;
  certificate: string | null;
  databases: string[];
  status: 'uploaded' | 'already-there' | 'on-target' | 'cannot' | 'failed';
  reason?: string;
  message?: string;
}

export async function applyTdePlan(
  source: SourceConnection,
  ctx: AzureContext,
  target: { subscriptionId: string; resourceGroup: string; managedInstance: string },
  plan: TdePlan,
  options: QueryOptions & { pollIntervalMs?: number; onResult?: (r: TdeCertificateResult) => void } = {},
): Promise<TdeCertificateResult[]> {
  const results: TdeCertificateResult[] = [];
  for (const item of plan.items) {
    options.signal?.throwIfAborted();
    const base = { thumbprint: item.thumbprint, certificate: item.certificate, databases: item.databases };
    let r: TdeCertificateResult;
    if (item.action === 'cannot') r = { ...base, status: 'cannot', reason: item.reason! };
    else if (item.action === 'on-target') r = { ...base, status: 'on-target' };
    else {
      let material: Awaited<ReturnType<typeof exportCertificate>> | undefined;
      let pfx: Buffer | undefined;
      try {
        material = await exportCertificate(source, item.certificateId!, options);
        const password = oneTimePassword();
        pfx = buildPfx({ certificate: material.certificate, privateKey: material.privateKey, password, friendlyName: material.name });
        const outcome = await uploadTdeCertificate(ctx, target, pfx, password, {
          ...(options.signal && { signal: options.signal }),
          ...(options.pollIntervalMs !== undefined && { pollIntervalMs: options.pollIntervalMs }),
        });
        r = { ...base, status: outcome.status };
      } catch (e) {
        if ((e as Error).name === 'AbortError' || options.signal?.aborted) throw e;
        r = { ...base, status: 'failed', message: (e as Error).message };
      } finally {
        material?.wipe();
        pfx?.fill(0);
      }
    }
    results.push(r);
    options.onResult?.(r);
  }
  return results;
}
