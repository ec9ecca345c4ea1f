/** The core's AzureContext for a signed-in account. No `vscode` here. */
import type { AzureContext } from '../../core/azure/context';
import { RequestBudget } from '../../core/azure/requestBudget';
import { NotSignedInError } from '../errors';
import type { SignedInAccount } from './types';

const budgets = new WeakMap<SignedInAccount, RequestBudget>();

/**
 * ARM's request limits as this account spends them: one budget for everything the editor does
 * with the account (ARM counts per subscription and principal), so the view's polling, the
 * wizard and a cutover share it.
 */
export function budgetFor(account: SignedInAccount): RequestBudget {
  let b = budgets.get(account);
  if (!b) budgets.set(account, (b = new RequestBudget()));
  return b;
}

export function contextFor(account: SignedInAccount): AzureContext {
  if (!account.credential) throw new NotSignedInError();
  return { cloud: account.cloud, credential: account.credential, budget: budgetFor(account) };
}
