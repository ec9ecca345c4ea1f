/** The core's AzureContext for a signed-in account. No `vscode` here. */
import type { AzureContext } from '../../core/azure/context';
import { NotSignedInError } from '../errors';
import type { SignedInAccount } from './types';

export function contextFor(account: SignedInAccount): AzureContext {
  if (!account.credential) throw new NotSignedInError();
  return { cloud: account.cloud, credential: account.credential };
}
