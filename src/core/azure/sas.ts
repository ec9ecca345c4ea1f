/**
 * Container SAS tokens for the Log Replay Service: Read and List only, on the container, signed
 * with the account key or with a user delegation key (the signed-in user's Entra credential, at
 * most 7 days), and a probe that uses one the way the service will (list the folder, read a
 * byte) so a token that does not work is found before anything starts.
 *
 * A token is a secret: it is returned to the caller, who hands it to the service; it is never
 * printed, logged or saved, and it is cut out of every error here.
 */
import type { TokenCredential } from '@azure/core-auth';
import {
  BlobServiceClient,
  ContainerClient,
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { isLoopback } from './cloud';
import { toAzureError } from './errors';
import { LRS_SAS_PERMISSIONS } from './sasToken';

/** A user delegation key, hence its SAS, lasts at most this long. */
export const USER_DELEGATION_MAX_DAYS = 7;

export interface ContainerSasOptions {
  /** The account's blob endpoint, e.g. https://acct.blob.core.windows.net/ (Azurite: http://127.0.0.1:P/acct/). */
  blobEndpoint: string;
  accountName: string;
  container: string;
  expiresOn: Date;
  /** Default: five minutes ago (clock skew). */
  startsOn?: Date;
  signal?: AbortSignal;
}

/** The container's URL, without a token. */
export function containerUrl(blobEndpoint: string, container: string): string {
  return `${blobEndpoint.replace(/\/?$/, '/')}${container}`;
}

function protocolFor(blobEndpoint: string): SASProtocol {
  // Plain http only to this machine's loopback (Azurite); everywhere else the token works over https only.
  return blobEndpoint.startsWith('http:') && isLoopback(blobEndpoint) ? SASProtocol.HttpsAndHttp : SASProtocol.Https;
}

/** A Read + List container SAS signed with the account key. */
export function containerSasWithKey(o: ContainerSasOptions & { accountKey: string }): string {
  return generateBlobSASQueryParameters(
    {
      containerName: o.container,
      permissions: ContainerSASPermissions.parse(LRS_SAS_PERMISSIONS),
      startsOn: o.startsOn ?? new Date(Date.now() - 5 * 60_000),
      expiresOn: o.expiresOn,
      protocol: protocolFor(o.blobEndpoint),
    },
    new StorageSharedKeyCredential(o.accountName, o.accountKey),
  ).toString();
}

/**
 * A Read + List container SAS signed with a user delegation key, which `credential` (the
 * signed-in user, with a Storage Blob Data role on the account) obtains from the blob service.
 * Such a key, hence the token, lasts at most 7 days.
 */
export async function containerSasWithUserDelegation(o: ContainerSasOptions & { credential: TokenCredential }): Promise<string> {
  const startsOn = o.startsOn ?? new Date(Date.now() - 5 * 60_000);
  const longest = new Date(startsOn.getTime() + USER_DELEGATION_MAX_DAYS * 86_400_000);
  if (o.expiresOn > longest) {
    throw new Error(`a user delegation SAS lasts at most ${USER_DELEGATION_MAX_DAYS} days, not until ${o.expiresOn.toISOString()}: sign the token with the account key, or let the instance read the container with its managed identity`);
  }
  const service = new BlobServiceClient(o.blobEndpoint, o.credential);
  let key;
  try {
    key = await service.getUserDelegationKey(startsOn, o.expiresOn, o.signal ? { abortSignal: o.signal } : {});
  } catch (e) {
    throw toAzureError(e, `get a user delegation key from storage account ${o.accountName} (your account needs a Storage Blob Data role on it)`);
  }
  return generateBlobSASQueryParameters(
    {
      containerName: o.container,
      permissions: ContainerSASPermissions.parse(LRS_SAS_PERMISSIONS),
      startsOn,
      expiresOn: o.expiresOn,
      protocol: protocolFor(o.blobEndpoint),
    },
    key,
    o.accountName,
  ).toString();
}

/**
 * Uses a token as the service will: lists the folder (List) and reads the first byte of a blob
 * in it (Read). Undefined when both work; otherwise what failed and what to do. The token never
 * appears in the answer.
 */
export async function probeContainerSas(o: { blobEndpoint: string; container: string; folder: string; sasToken: string; signal?: AbortSignal }): Promise<string | undefined> {
  const url = new URL(containerUrl(o.blobEndpoint, o.container));
  if (url.protocol !== 'https:' && !isLoopback(url.href)) return `the container ${o.container} is not on https: a SAS token is sent only over https`;
  const client = new ContainerClient(`${url.href}?${o.sasToken.replace(/^\?/, '')}`);
  const prefix = o.folder ? `${o.folder}/` : '';
  const said = (e: unknown) => {
    const err = e as { statusCode?: number; code?: string; message?: string };
    return `${err.statusCode ? `HTTP ${err.statusCode} ` : ''}${err.code ?? ''}`.trim() || (err.message ?? String(e)).split(o.sasToken).join('***');
  };
  let first: string | undefined;
  try {
    for await (const b of client.listBlobsFlat({ prefix, ...(o.signal && { abortSignal: o.signal }) })) {
      first = b.name;
      break;
    }
  } catch (e) {
    // No container yet (an upload creates it): nothing to try the token on.
    if ((e as { statusCode?: number }).statusCode === 404) return undefined;
    return `listing ${o.container}/${prefix} with the SAS token failed (${said(e)}): the token must be for this container and grant List; create a new one`;
  }
  if (!first) return undefined;
  try {
    await client.getBlobClient(first).download(0, 1, o.signal ? { abortSignal: o.signal } : {});
  } catch (e) {
    return `reading ${first} with the SAS token failed (${said(e)}): the token must grant Read; create a new one`;
  }
  return undefined;
}
