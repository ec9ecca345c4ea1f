/**
 * The sandbox's stand-in for the source SQL Server: `startTdsServer({ profile })` listens on a
 * loopback port and answers sqlmig's catalog queries from the profile.
 */
import { profileAnswerer } from './answers';
import type { ServerProfile } from './profile';
import { startTdsServerWith, type RunningTdsServer, type SandboxLogin } from './server';

export { bundledProfile, loadProfile, parseProfile, type ServerProfile } from './profile';
export { SqlError, type RunningTdsServer, type SandboxLogin, type TdsServerStats } from './server';

export interface TdsServerStartOptions {
  profile: ServerProfile;
  /** 0 or absent: a free port. */
  port?: number;
  /** Loopback only: 127.0.0.1 (default), localhost or ::1. */
  host?: string;
  /** SQL logins; one login "sqlmig" with a random password when absent (see the result's logins). */
  logins?: SandboxLogin[];
  /** Microsoft Entra access tokens the server accepts. */
  accessTokens?: string[];
  tls?: 'on' | 'required' | 'off';
  /** Extra time before each answer (to rehearse a slow server or a cancel). */
  latencyMs?: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export async function startTdsServer(options: TdsServerStartOptions): Promise<RunningTdsServer> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host) && !/^127\.\d+\.\d+\.\d+$/.test(host)) {
    throw new Error(`the sandbox SQL Server listens on loopback only, not on ${host}`);
  }
  const [major = 15, minor = 0, build = 0] = options.profile.server.version.split('.').map(Number);
  return startTdsServerWith({
    answer: profileAnswerer(options.profile),
    serverName: options.profile.server.name,
    version: [major, minor, build],
    host: host.replace(/^\[(.*)\]$/, '$1'),
    ...(options.port !== undefined && { port: options.port }),
    ...(options.logins && { logins: options.logins }),
    ...(options.accessTokens && { accessTokens: options.accessTokens }),
    ...(options.tls && { tls: options.tls }),
    ...(options.latencyMs !== undefined && { latencyMs: options.latencyMs }),
  });
}
