/**
 * The source SQL Server stand-in: the sandbox starts the TDS server (sandbox/tds) with the seed
 * profile's `sourceServer` section (a server profile), or the bundled default profile, whose
 * databases hit many assessment rules. It reports where it listens and the SQL login to use.
 */
import { randomBytes } from 'node:crypto';
import { bundledProfile, parseProfile, startTdsServer, type ServerProfile } from './tds';

export interface SourceServer {
  port: number;
  /** A SQL login on the stand-in: a sandbox secret, like the sandbox's token. */
  user: string;
  password: string;
  /** Its TLS certificate (PEM), issued for localhost, the loopback addresses and the profile's server name. */
  certificate?: string;
  stop(): Promise<void>;
}

/** `now`: the clock its performance counters follow (the sandbox's simulated clock; real time by default). */
export type StartSourceServer = (options: { profile: unknown; port?: number; host?: string; now?: () => number }) => Promise<SourceServer>;

/** The server a seed profile's `sourceServer` section describes, or the bundled default one when it has none. */
export function sourceProfileOf(profile: unknown): ServerProfile {
  const given = profile !== undefined && profile !== null && typeof profile === 'object' && Object.keys(profile).length > 0;
  return given ? parseProfile(profile, 'the seed profile\'s sourceServer') : bundledProfile('default');
}

export const startSourceServer: StartSourceServer = async ({ profile, port, host, now }) => {
  const login = { user: 'sqlmig', password: randomBytes(12).toString('base64url') };
  const parsed = sourceProfileOf(profile);
  const server = await startTdsServer({
    profile: parsed,
    logins: [login],
    certificateNames: [parsed.server.name.toLowerCase()],
    ...(host !== undefined && { host }),
    ...(port !== undefined && { port }),
    ...(now && { now }),
  });
  return { port: server.port, ...login, ...(server.certificate && { certificate: server.certificate }), stop: () => server.stop() };
};
