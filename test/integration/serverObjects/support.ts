/** The sandbox's source SQL Server and managed instance side by side, for tests of logins, TDE certificates and server objects. */
import { randomBytes } from 'node:crypto';
import { bundledProfile, startManagedInstanceServer, startTdsServer, type RestoredDatabase, type RunningManagedInstance, type RunningTdsServer, type ServerProfile } from '../../../sandbox/tds';
import { userSid } from '../../../sandbox/tds/principals';
import { connectSource, connectTarget, type SourceConnection, type TargetConnection } from '../../../src/core/source';

export interface Pair {
  profile: ServerProfile;
  source: RunningTdsServer;
  mi: RunningManagedInstance;
  /** Databases "restored" on the instance; push to add. */
  restored: RestoredDatabase[];
  certificates: { name: string; thumbprint: string }[];
  password: string;
  connectSource(): Promise<SourceConnection>;
  connectTarget(): Promise<TargetConnection>;
  stop(): Promise<void>;
}

/** A database of the source as the instance holds it after a restore: same users, same SIDs. */
export function restoredCopy(profile: ServerProfile, name: string): RestoredDatabase {
  const d = profile.databases.find((x) => x.name === name)!;
  return { name, users: (d.users ?? []).map((u) => ({ name: u.name, type: u.type, sid: userSid(profile, u) })) };
}

export async function startPair(profile: ServerProfile = bundledProfile('default'), options: { certificates?: () => { name: string; thumbprint: string }[] } = {}): Promise<Pair> {
  const password = randomBytes(12).toString('base64url');
  const restored: RestoredDatabase[] = [];
  const certificates: { name: string; thumbprint: string }[] = [];
  const source = await startTdsServer({ profile, logins: [{ user: 'migrator', password }] });
  const mi = await startManagedInstanceServer({
    name: 'sqlmi-sandbox', hostName: 'sqlmi-sandbox.sandbox.localhost', admin: { user: 'sqladmin', password },
    databases: () => restored, certificates: options.certificates ?? (() => certificates), entra: { domains: ['contoso.com'], users: ['ann.lee@contoso.com', 'svc_payroll@contoso.com'], groups: ['SQL Admins', 'Report Readers'] },
  });
  return {
    profile, source, mi, restored, certificates, password,
    connectSource: () => connectSource({ server: `127.0.0.1,${source.port}`, auth: { kind: 'sql', user: 'migrator', password }, trustServerCertificate: true }),
    connectTarget: () => connectTarget({ server: `127.0.0.1,${mi.port}`, auth: { kind: 'sql', user: 'sqladmin', password }, trustedCertificates: mi.certificate!, hostNameInCertificate: 'sqlmi-sandbox.sandbox.localhost' }),
    stop: async () => {
      await Promise.all([source.stop(), mi.stop()]);
    },
  };
}
