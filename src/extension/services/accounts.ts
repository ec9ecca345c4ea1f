/**
 * Signing in, per cloud: Azure public through VS Code's Microsoft account provider, US
 * Government and China through its sovereign-cloud provider, and a custom cloud (an Azure
 * Stack Hub or the local sandbox) with the token its cloud file carries. The result holds a
 * TokenCredential the Azure clients use; tokens never leave memory.
 */
import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import type { Cloud } from '../../core/azure/cloud';
import { ActionableError, UserCancelledError } from '../errors';
import type { Redactor } from '../redact';
import type { AccountService, SignedInAccount } from './types';

export interface SignedInWithCredential extends SignedInAccount {
  credential: TokenCredential;
}

function providerFor(cloud: Cloud): string | undefined {
  if (cloud.name === 'AzureCloud') return 'microsoft';
  if (cloud.name === 'AzureUSGovernment' || cloud.name === 'AzureChinaCloud') return 'microsoft-sovereign-cloud';
  return undefined;
}

export function vscodeAccounts(redactor: Redactor): AccountService {
  return {
    availability: { available: true },
    async signIn(cloud): Promise<SignedInWithCredential> {
      if (cloud.accessToken) {
        redactor.add(cloud.accessToken);
        // The Azure pipeline code loads only when a credential is first needed.
        const { staticTokenCredential } = await import('../../core/azure/pipeline');
        return { cloud, label: l10n.t('{0} (token from its cloud file)', cloud.displayName), credential: staticTokenCredential(cloud.accessToken) };
      }
      const provider = providerFor(cloud);
      if (!provider) {
        throw new ActionableError(
          l10n.t('The cloud {0} has no sign-in provider in VS Code and its cloud file has no access token.', cloud.displayName),
          l10n.t('Add an "accessToken" to the cloud file, or choose Azure, Azure US Government or Azure China.'),
        );
      }
      const scopes = [cloud.armScope, ...(cloud.tenantId ? [`VSCODE_TENANT:${cloud.tenantId}`] : [])];
      let session: vscode.AuthenticationSession | undefined;
      try {
        session = await vscode.authentication.getSession(provider, scopes, { createIfNone: true });
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
      if (!session) throw new UserCancelledError();
      redactor.add(session.accessToken);
      const credential: TokenCredential = {
        async getToken(): Promise<AccessToken> {
          const s = await vscode.authentication.getSession(provider, scopes, { silent: true });
          if (!s) throw new ActionableError(l10n.t('Your Azure session has ended.'), l10n.t('Run "Sign in to Azure" again.'));
          redactor.add(s.accessToken);
          // VS Code refreshes sessions itself; ask again within the hour.
          return { token: s.accessToken, expiresOnTimestamp: Date.now() + 45 * 60_000 };
        },
      };
      return { cloud, label: session.account.label, credential };
    },
  };
}
