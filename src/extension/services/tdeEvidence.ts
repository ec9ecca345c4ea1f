/**
 * The TDE check's evidence for a start from the editor, as sqlmig gathers it for `migrate start`
 * and `log-replay start`: the source read with the wizard's connection, each target instance
 * asked with the instance login the wizard's Server objects step gives. Without that login a
 * TDE database cannot be checked and is refused (tde-unverified), with what to do. No `vscode` here.
 */
import * as l10n from '@vscode/l10n';
import type { TdeEvidence } from '../../core/migration/tdeCheck';
import { loadCore } from './loadCore';
import { sourceOptions } from './sourceService';
import { connectInstance, targetAddress } from './validation';
import type { MigrationRequest, MigrationSecrets, SignedInAccount } from './types';

/** Why the instance's certificates could not be read when no login for it was given: what to do instead. */
export function noTargetLoginReason(): string {
  return l10n.t('no login for the instance was given: give the instance\'s login (e.g. its admin) on the wizard\'s Server objects step, where its certificate can be uploaded too');
}

/** The evidence for the databases going to one instance (source database names). */
export async function readTdeEvidenceFor(
  account: SignedInAccount,
  request: Pick<MigrationRequest, 'source' | 'targetLogin'>,
  secrets: MigrationSecrets,
  instanceId: string,
  databases: readonly string[],
  signal: AbortSignal,
): Promise<TdeEvidence> {
  const core = await loadCore();
  const login = request.targetLogin;
  const password = secrets.targetPassword;
  return core.readTdeEvidence({
    databases,
    connectSource: async () => core.connectSource(sourceOptions(request.source, secrets.sqlPassword), { signal }),
    connectTarget: login && password !== undefined
      ? async () => connectInstance({ ...(await targetAddress(account, instanceId, signal)), user: login.user, password }, signal)
      : noTargetLoginReason(),
    signal,
  });
}
