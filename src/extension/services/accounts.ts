/**
 * Signing in, per cloud: Azure public through VS Code's Microsoft account provider, US
 * Government and China through its sovereign-cloud provider, and a custom cloud (an Azure
 * Stack Hub or the local sandbox) with the token its cloud file carries. The result holds a
 * TokenCredential the Azure clients use (and one per tenant, for listing subscriptions);
 * tokens never leave memory.
 */
import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { AZURE_PUBLIC, sqlDatabaseScope, type Cloud } from '../../core/azure/cloud';
import { ActionableError, NotSignedInError, UserCancelledError } from '../errors';
import type { Redactor } from '../redact';
import { loadCore } from './loadCore';
import type { AccountService, SignedInAccount } from './types';

function providerFor(cloud: Cloud): string | undefined {
  if (cloud.name === 'AzureCloud') return 'microsoft';
  if (cloud.name === 'AzureUSGovernment' || cloud.name === 'AzureChinaCloud') return 'microsoft-sovereign-cloud';
  return undefined;
}

/** A credential that asks VS Code for the session each time (VS Code refreshes it). */
function sessionCredential(provider: string, scopes: string[], redactor: Redactor): TokenCredential {
  return {
    async getToken(): Promise<AccessToken> {
      const s = await vscode.authentication.getSession(provider, scopes, { silent: true });
      if (!s) throw new NotSignedInError();
      redactor.add(s.accessToken);
      // VS Code refreshes sessions itself; ask again within the hour.
      return { token: s.accessToken, expiresOnTimestamp: Date.now() + 45 * 60_000 };
    },
  };
}

export function azureAccounts(redactor: Redactor): AccountService {
  return {
    availability: { available: true },
    async signIn(cloud, _signal, options = {}): Promise<SignedInAccount> {
      if (cloud.accessToken) {
        redactor.add(cloud.accessToken);
        const { staticTokenCredential } = await loadCore();
        const credential = staticTokenCredential(cloud.accessToken);
        return { cloud, label: l10n.t('token from its cloud file'), credential };
      }
      const provider = providerFor(cloud);
      if (!provider) {
        throw new ActionableError(
          l10n.t('The cloud {0} has no sign-in provider in VS Code and its cloud file has no access token.', cloud.displayName),
          l10n.t('Add an "accessToken" to the cloud file, or choose Azure, Azure US Government or Azure China.'),
        );
      }
      const scopesFor = (tenantId?: string) => [cloud.armScope, ...(tenantId ? [`VSCODE_TENANT:${tenantId}`] : [])];
      let session: vscode.AuthenticationSession | undefined;
      try {
        session = await vscode.authentication.getSession(provider, scopesFor(cloud.tenantId), options.silent ? { silent: true } : { createIfNone: true });
      } catch (e) {
        if (/cancel/i.test((e as Error).message)) throw new UserCancelledError();
        throw new ActionableError(
          l10n.t('Signing in to {0} failed: {1}', cloud.displayName, (e as Error).message),
          provider === 'microsoft-sovereign-cloud'
            ? l10n.t('Set "microsoft-sovereign-cloud.environment" to the cloud you use, then sign in again.')
            : l10n.t('Check your network connection and sign in again.'),
          { cause: e },
        );
      }
      if (!session) throw options.silent ? new NotSignedInError() : new UserCancelledError();
      redactor.add(session.accessToken);
      return {
        cloud,
        label: session.account.label,
        credential: sessionCredential(provider, scopesFor(cloud.tenantId), redactor),
        credentialFor: (tenantId) => sessionCredential(provider, scopesFor(tenantId), redactor),
      };
    },
  };
}

/**
 * A Microsoft Entra token for SQL Server (the source connection's "Entra" option), from VS Code's
 * account for the chosen cloud, for that cloud's database audience (Azure public's
 * database.windows.net is not accepted by a server in US Government or China, and vice versa).
 */
export async function entraSqlToken(redactor: Redactor, cloud: Cloud = AZURE_PUBLIC): Promise<string> {
  const provider = providerFor(cloud);
  if (!provider) {
    throw new ActionableError(
      l10n.t('The cloud {0} has no sign-in provider in VS Code for a SQL Server token.', cloud.displayName),
      l10n.t('Connect to the source with a SQL login, or choose Azure, Azure US Government or Azure China.'),
    );
  }
  const session = await vscode.authentication.getSession(provider, [sqlDatabaseScope(cloud)], { createIfNone: true });
  if (!session) throw new UserCancelledError();
  redactor.add(session.accessToken);
  return session.accessToken;
}
