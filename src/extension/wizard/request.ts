/** The wizard's answers as the request that starts the migrations (no secrets in it). */
import type { BackupLocation, LogReplayRequest, MigrationRequest } from '../services/types';
import { readsBlobContainer, type WizardState } from '../../protocol/wizard';
import { targetLoginOf } from './steps/serverObjects';
import { incompleteSteps } from './validation';

export function buildRequest(s: WizardState): MigrationRequest {
  const incomplete = incompleteSteps(s);
  if (incomplete.length) throw new Error(`the wizard is not complete: ${incomplete.join(', ')}`);
  const b = s.backups;
  const databases = b.databases.map((d) => {
    let location: BackupLocation;
    if (b.location === 'blob') location = { kind: 'blob', storageAccountId: b.storageAccountId!, container: d.container };
    else if (b.location === 'upload') location = { kind: 'upload', folder: d.folder, storageAccountId: b.storageAccountId!, container: d.container };
    else location = { kind: 'share', path: d.folder, userName: b.shareUserName, storageAccountId: b.storageAccountId! };
    return {
      sourceDatabase: d.source,
      targetDatabase: d.target,
      ...(d.instanceId && { targetInstanceId: d.instanceId }),
      location,
      ...(b.mode === 'offline' && d.lastBackupName && { lastBackupName: d.lastBackupName }),
    };
  });
  return {
    subscriptionId: s.target.subscriptionId!,
    targetInstanceId: s.target.instanceIds[0]!,
    migrationServiceId: s.service.serviceId!,
    mode: b.mode,
    source: {
      server: s.source.server,
      authentication: s.source.authentication,
      userName: s.source.userName,
      encrypt: s.source.encrypt,
      trustServerCertificate: s.source.trustServerCertificate,
    },
    databases,
    ...(targetLoginOf(s) && { targetLogin: targetLoginOf(s)! }),
    ...(s.engine.kind === 'dms' && readsBlobContainer(s) && s.engine.access === 'managedIdentity' && { blobAuth: 'ManagedIdentity' as const }),
  };
}

/** The answers as a Log Replay Service request: no migration service, the container's access instead. */
export function buildLogReplayRequest(s: WizardState): LogReplayRequest {
  if (s.engine.kind !== 'lrs') throw new Error('the wizard is set to the Database Migration Service');
  const { migrationServiceId: _none, databases, ...rest } = buildRequest(s);
  return {
    ...rest,
    access: s.engine.access === 'key' ? 'sas' : 'managedIdentity',
    databases: databases.map((d) => {
      const l = d.location;
      if (l.kind === 'share') throw new Error('the Log Replay Service reads blob storage only, not a network share');
      return { ...d, location: l };
    }),
  };
}
