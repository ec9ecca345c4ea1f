/**
 * A few SQL Servers on loopback to discover: per host, a SQL Server Browser (sandbox/ssrp.ts)
 * that lists its named instances and their TCP ports, and for each instance the sandbox's TDS
 * server (sandbox/tds, unchanged) started under the instance's name and version, so a PRELOGIN
 * reads that version and `sqlmig assess` can log in and assess it. Every host shares one UDP
 * port for its Browser, as 1434 is shared on a real network; a host may be silent or answer
 * malformed replies.
 */
import { randomBytes } from 'node:crypto';
import type { SsrpInstance } from '../src/core/discovery/ssrp';
import { startSsrpResponder, type RunningSsrpResponder, type SsrpBehaviour } from './ssrp';
import { bundledProfile, startTdsServer, type RunningTdsServer, type ServerProfile } from './tds';

export interface FleetInstance {
  /** Instance name; MSSQLSERVER is the default instance. */
  name: string;
  /** e.g. 13.0.5026.0 (the profile's when absent). */
  version?: string;
  clustered?: boolean;
  /** The bundled profile (default or clean) or a whole one; `clean` when absent. */
  profile?: 'default' | 'clean' | ServerProfile;
  /** False: the Browser lists the instance without a TCP port (TCP/IP off). */
  listTcp?: boolean;
  /** False: listed, but nothing listens on its port (a stopped instance). */
  running?: boolean;
}

export interface FleetHost {
  /** A loopback address, 127.0.0.1 by default (others of 127/8 work on Linux). */
  host?: string;
  /** The machine name the Browser reports. */
  serverName: string;
  instances: FleetInstance[];
  browser?: SsrpBehaviour;
}

export interface FleetOptions {
  hosts: FleetHost[];
  /** The Browser's UDP port for every host (any free one when absent). */
  ssrpPort?: number;
  /** The Browsers also answer broadcasts to 127.255.255.255. */
  broadcast?: boolean;
  /** The SQL login every instance accepts (a random password when absent). */
  login?: { user: string; password: string };
}

export interface RunningFleetInstance {
  name: string;
  port: number;
  version: string;
  /** HOST,PORT */
  address: string;
}

export interface RunningFleet {
  ssrpPort: number;
  login: { user: string; password: string };
  hosts: { host: string; serverName: string; instances: RunningFleetInstance[]; browser: RunningSsrpResponder }[];
  stop(): Promise<void>;
}

/** The sandbox's own network: SQLSANDBOX with three named instances (2019, 2016, a clustered 2012) and a default instance on 2022. */
export const DEFAULT_FLEET: FleetHost[] = [
  {
    serverName: 'SQLSANDBOX',
    instances: [
      { name: 'SALES', version: '15.0.4298.1', profile: 'default' },
      { name: 'HR', version: '13.0.5026.0', profile: 'clean' },
      { name: 'LEGACY', version: '11.0.7001.0', clustered: true, profile: 'clean' },
      { name: 'MSSQLSERVER', version: '16.0.4135.4', profile: 'clean' },
    ],
  },
];

function profileFor(i: FleetInstance, serverName: string): ServerProfile {
  const base = typeof i.profile === 'object' ? structuredClone(i.profile) : bundledProfile(i.profile ?? 'clean');
  const name = i.name.toUpperCase() === 'MSSQLSERVER' ? serverName : `${serverName}\\${i.name}`;
  return { ...base, server: { ...base.server, name, ...(i.version && { version: i.version }), ...(i.clustered !== undefined && { clustered: i.clustered }) } };
}

export async function startSqlFleet(options: FleetOptions): Promise<RunningFleet> {
  const login = options.login ?? { user: 'sqlmig', password: randomBytes(12).toString('base64url') };
  const servers: RunningTdsServer[] = [];
  const hosts: RunningFleet['hosts'] = [];
  let ssrpPort = options.ssrpPort ?? 0;
  const stop = async () => {
    await Promise.all([...servers.map((s) => s.stop()), ...hosts.map((h) => h.browser.stop())]);
  };
  try {
    for (const h of options.hosts) {
      const host = h.host ?? '127.0.0.1';
      const running: RunningFleetInstance[] = [];
      const listed: SsrpInstance[] = [];
      for (const i of h.instances) {
        const profile = profileFor(i, h.serverName);
        let port: number;
        if (i.running === false) {
          // A port where nothing listens: take a free one and let it go.
          const probe = await startTdsServer({ profile, host, logins: [login] });
          port = probe.port;
          await probe.stop();
        } else {
          const server = await startTdsServer({ profile, host, logins: [login], certificateNames: [h.serverName.toLowerCase()] });
          servers.push(server);
          port = server.port;
        }
        running.push({ name: i.name, port, version: profile.server.version, address: `${host},${port}` });
        listed.push({
          serverName: h.serverName,
          instanceName: i.name,
          clustered: Boolean(i.clustered),
          version: profile.server.version,
          ...(i.listTcp !== false && { tcpPort: port }),
          pipe: i.name.toUpperCase() === 'MSSQLSERVER' ? `\\\\${h.serverName}\\pipe\\sql\\query` : `\\\\${h.serverName}\\pipe\\MSSQL$${i.name}\\sql\\query`,
        });
      }
      const browser = await startSsrpResponder({ host, port: ssrpPort, instances: listed, behaviour: h.browser ?? 'answer', broadcast: options.broadcast ?? false });
      ssrpPort = browser.port;
      hosts.push({ host, serverName: h.serverName, instances: running, browser });
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { ssrpPort, login, hosts, stop };
}

/** What the sandbox's info says of its fleet: the Browser's UDP port, the login, every instance's address. */
export interface FleetInfo {
  ssrpPort: number;
  user: string;
  password: string;
  instances: { host: string; serverName: string; name: string; version: string; address: string }[];
}

/** The fleet as the sandbox starts it (`fleet: true` is DEFAULT_FLEET), on the sandbox's loopback address unless a host names another. */
export async function startSandboxFleet(options: true | Partial<FleetOptions>, host: string): Promise<{ fleet: RunningFleet; info: FleetInfo }> {
  const o = options === true ? {} : options;
  const fleet = await startSqlFleet({ ...o, hosts: (o.hosts ?? DEFAULT_FLEET).map((h) => ({ ...h, host: h.host ?? host })) });
  const instances = fleet.hosts.flatMap((h) => h.instances.map((i) => ({ host: h.host, serverName: h.serverName, name: i.name, version: i.version, address: i.address })));
  return { fleet, info: { ssrpPort: fleet.ssrpPort, user: fleet.login.user, password: fleet.login.password, instances } };
}
