/**
 * Uploading a TDE certificate to a managed instance through Resource Manager:
 * POST .../managedInstances/{mi}/tdeCertificates with properties.privateBlob (the base64 PFX)
 * and properties.certPassword, a long-running operation (ManagedInstanceTdeCertificates_Create
 * in Microsoft.Sql's specification; @azure/arm-sql 10 sends api-version 2020-11-01-preview).
 * The blob and its password exist only in this call's memory and are masked out of any error.
 */
import { SqlManagementClient } from '@azure/arm-sql';
import { prepareArmPipeline, sdkClientOptions, type AzureContext } from '../azure/context';
import { AzureError, azureCall } from '../azure/errors';

/** What each error code of the operation means for the user (the specification's list, and CertificateAlreadyExists). */
export const TDE_UPLOAD_ADVICE: Record<string, string> = {
  CertificateAlreadyExists: 'The instance already holds this certificate: nothing to do.',
  InvalidPrivateBlobOrPassword: 'The instance could not open the PFX with its password. sqlmig builds both in memory: run again; if it persists, report it with the certificate\'s thumbprint.',
  PrivateBlobWithoutPrivateKey: 'The PFX had no private key: the source returned the certificate without one. Check that the certificate in master has its private key (pvt_key_encryption_type MK) and that the reading login can use it.',
  MissingPrivateBlob: 'The request had no PFX: run again.',
  InvalidResourceRequestBody: 'The request body was refused: run again; if it persists, report it.',
  SubscriptionDoesNotHaveServer: 'The managed instance was not found in this subscription: check --target.',
  ServerNotInSubscriptionResourceGroup: 'The managed instance was not found in that resource group: check --target.',
};

export type UploadOutcome = { status: 'uploaded' } | { status: 'already-there' };

export async function uploadTdeCertificate(
  ctx: AzureContext,
  target: { subscriptionId: string; resourceGroup: string; managedInstance: string },
  pfx: Buffer,
  password: string,
  options: { signal?: AbortSignal; pollIntervalMs?: number } = {},
): Promise<UploadOutcome> {
  const client = new SqlManagementClient(ctx.credential, target.subscriptionId, sdkClientOptions(ctx));
  prepareArmPipeline(client.pipeline, ctx);
  const privateBlob = pfx.toString('base64');
  try {
    await azureCall(
      `upload a TDE certificate to managed instance ${target.managedInstance}`,
      () => client.managedInstanceTdeCertificates.beginCreateAndWait(target.resourceGroup, target.managedInstance, { privateBlob, certPassword: password }, {
        abortSignal: options.signal,
        ...(options.pollIntervalMs !== undefined && { updateIntervalInMs: options.pollIntervalMs }),
      }),
      [privateBlob, password],
    );
    return { status: 'uploaded' };
  } catch (e) {
    if (!(e instanceof AzureError)) throw e;
    // A failed long-running operation comes back with its code inside the message ("The long-running operation has failed. CODE. ...").
    const code = TDE_UPLOAD_ADVICE[e.code] ? e.code : Object.keys(TDE_UPLOAD_ADVICE).find((c) => new RegExp(`\\b${c}\\b`).test(e.serviceMessage));
    if (code === 'CertificateAlreadyExists') return { status: 'already-there' };
    if (code) {
      throw new AzureError({ action: `upload a TDE certificate to managed instance ${target.managedInstance}`, code, ...(e.statusCode !== undefined && { statusCode: e.statusCode }), serviceMessage: e.serviceMessage, hint: TDE_UPLOAD_ADVICE[code]! });
    }
    throw e;
  }
}
