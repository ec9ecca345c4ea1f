/**
 * The sandbox's stand-in for the source SQL Server: `startTdsServer({ profile })` listens on a
 * loopback port and answers sqlmig's catalog queries from the profile.
 */
import { profileAnswerer, type AnswererOptions } from './answers';
import type { ServerProfile } from './profile';
import { startTdsServerWith, type RunningTdsServer, type TdsServerOptions } from './server';

export { bundledProfile, loadProfile, parseProfile, type ServerProfile } from './profile';
export { SqlError, type RunningTdsServer, type SandboxLogin, type TdsServerStats } from './server';

/** The server's own options, with the profile in place of the answers, name and version it gives. */
export type TdsServerStartOptions = Omit<TdsServerOptions, 'answer' | 'serverName' | 'version'> & {
  profile: ServerProfile;
} & AnswererOptions;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export async function startTdsServer(options: TdsServerStartOptions): Promise<RunningTdsServer> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host) && !/^127\.\d+\.\d+\.\d+$/.test(host)) {
    throw new Error(`the sandbox SQL Server listens on loopback only, not on ${host}`);
  }
  const { profile, now, drift, ...rest } = options;
  const [major = 15, minor = 0, build = 0] = profile.server.version.split('.').map(Number);
  return startTdsServerWith({
    ...rest,
    answer: profileAnswerer(profile, { ...(now && { now }), ...(drift && { drift }) }),
    serverName: profile.server.name,
    version: [major, minor, build],
    host: host.replace(/^\[(.*)\]$/, '$1'),
  });
}
export { startManagedInstanceServer, type ManagedInstanceServerOptions, type RestoredDatabase, type RunningManagedInstance } from './managedInstance';
export { daily, type TableDrift } from './workload';
