/**
 * The sandbox: a local Azure on loopback. Azurite for blobs, the ARM emulator (resources, SQL
 * managed instances, storage accounts, migration services and database migrations) whose
 * simulated migration service restores real backups by reading their headers, an integration
 * runtime emulator on demand, and (when built) the source SQL Server stand-in.
 *
 *   const sb = await startSandbox({ clockSpeed: 100, pageSize: 2 });
 *   sb.info.armEndpoint; sb.info.accessToken; sb.info.cloudFile; ...
 *   sb.setClockSpeed(1000); sb.faults.add({ kind: 'throttle', path: '/listMigrations' });
 *   const ir = await sb.startIntegrationRuntime();
 *   await sb.stop();
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startAzurite, type Azurite } from './azurite';
import { SimClock } from './clock';
import { sandboxFaults, servicesNamed, type SandboxFaults } from './arm/control';
import { blobServiceFor, DEFAULT_TIMINGS, type Emulator, type Timings } from './arm/emulator';
import { Faults } from './arm/faults';
import { LongRunningOperations } from './arm/longRunning';
import { Router } from './arm/router';
import { ARM_OPERATIONS, SANDBOX_ROUTES } from './arm/routes';
import { startServer, type RunningServer } from './arm/server';
import { ArmReadThrottle } from './armThrottle';
import { managedInstanceId } from './arm/sql';
import { TdeCertificateStore } from './arm/tdeCertificates';
import { serviceId } from './arm/sqlMigrationServices';
import { storageAccountId } from './arm/storage';
import { buildWorld, NameMap, newAuthKey, seededContainers, type SeedProfile } from './arm/world';
import type { LogReplay } from './dms/logReplay';
import type { Migration } from './dms/migration';
import { TdeBackupRegistry } from './dms/tdeRestoreCheck';
import type { RestoreFailure } from './dms/types';
import { IntegrationRuntime } from './ir/runtime';
import { startSandboxFleet, type FleetInfo, type FleetOptions, type RunningFleet } from './sqlFleet';
import { startSourceServer as defaultSourceServer, sourceProfileOf, type SourceServer, type StartSourceServer } from './sourceServer';
import { markSourceTde, sqlEndpointsFor, startInstanceEndpoint, type TargetServer } from './targetServer';

/** What `npm run sandbox -- --json` prints, and `sandbox.info` holds. */
export interface SandboxInfo {
  armEndpoint: string;
  /** The bearer token the ARM emulator accepts (also in the cloud file). */
  accessToken: string;
  tenantId: string;
  subscriptionId: string;
  resourceGroup: string;
  managedInstanceId: string;
  storageAccountId: string;
  /** The first storage account's blob endpoint (Azurite, path-style). */
  blobEndpoint: string;
  migrationServiceId: string;
  /** A cloud file for the product (`loadCloudFile`); mode 0600, removed on stop. */
  cloudFile: string;
  /** The source SQL Server stand-in (TDS), when there is one: where it listens and its SQL login. */
  sourceServer?: { host: string; port: number; user: string; password: string };
  /** The SQL Servers to discover (`fleet` option): `sqlmig discover 127.0.0.1 --ssrp-port <ssrpPort>` finds them. */
  fleet?: FleetInfo;
  /** The first managed instance's SQL endpoint (TDS), reached by its ARM host name through the cloud file's sqlEndpoints; its admin login. */
  targetServer?: { host: string; port: number; hostName: string; user: string; password: string };
}

export interface SandboxOptions {
  /** ARM emulator port; 0 (the default) picks a free one. */
  port?: number;
  /** A loopback address (default 127.0.0.1). */
  host?: string;
  /** Azurite's data, the share folders and the cloud file; a temporary folder (removed on stop) when absent. */
  dataDir?: string;
  profile?: SeedProfile & { sourceServer?: unknown };
  /** Simulated seconds per real second (default 1). */
  clockSpeed?: number;
  timings?: Partial<Timings>;
  /** List page size (default 100; small in tests to exercise nextLink). */
  pageSize?: number;
  /** Runtime heartbeat period in real milliseconds (default 2000). */
  runtimeHeartbeatMs?: number;
  /** The source SQL Server stand-in; `false` for none; the hook in sourceServer.ts by default. */
  sourceServer?: StartSourceServer | false;
  /** SQL Servers to discover (sandbox/sqlFleet.ts: a SQL Server Browser and named instances); `true` for the default fleet. None by default. */
  fleet?: true | Partial<FleetOptions>;
  /** The first managed instance's SQL endpoint (default true). */
  targetServer?: boolean;
  /**
   * source-profile: backups of the source profile's TDE databases (by name) restore only on an
   * instance holding their certificate, as `npm run sandbox` has it; none (the default): only
   * what `sandbox.tde.backups` is told, so sample chains named like a profile database restore.
   */
  tdeBackups?: 'source-profile' | 'none';
  /**
   * ARM's read limit (250 reads per subscription and principal, 25 more a second, on the
   * sandbox clock): answers say what is left, an empty bucket answers 429. On by default, as
   * in Azure; false for a load benchmark that measures the emulator itself.
   */
  armReadLimit?: boolean;
}

export type { SandboxFaults };

export interface Sandbox {
  info: SandboxInfo;
  dataDir: string;
  azurite: Azurite;
  clock: SimClock;
  setClockSpeed(speed: number): void;
  /** Moves the simulated clock forward (a restore's 30 days in a moment); sleeps due by then end now. */
  advanceClock(seconds: number): void;
  faults: SandboxFaults;
  /** ARM's read bucket (undefined when `armReadLimit` is false): its stats count what was throttled. */
  readThrottle?: ArmReadThrottle;
  /** The SQL Servers to discover, when asked for. */
  fleet?: RunningFleet;
  /** Which backups are TDE-encrypted (tests mark them) and the certificates each instance holds. */
  tde: { backups: TdeBackupRegistry; certificates: TdeCertificateStore };
  /** The local folder standing in for a share path (default: the first share). */
  shareFolder(path?: string): string;
  /** UNC paths of the shares, e.g. \\localhost\sqlbackups. */
  shares: string[];
  /** Starts an in-process integration runtime registered with a service's key (default: the first service, authKey1). */
  startIntegrationRuntime(options?: { service?: string; keyName?: 'authKey1' | 'authKey2'; nodeName?: string; heartbeatMs?: number }): Promise<IntegrationRuntime>;
  stop(): Promise<void>;
}

const isLoopbackHost = (h: string) => h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) throw new Error(`the sandbox listens on loopback only, not on ${host}`);
  const profile = options.profile ?? {};
  const world = buildWorld(profile);
  const ownsData = !options.dataDir;
  const dataDir = resolve(options.dataDir ?? mkdtempSync(join(tmpdir(), 'sqlmig-sandbox-')));
  mkdirSync(dataDir, { recursive: true });
  for (const s of world.shares) mkdirSync(join(dataDir, s.folder), { recursive: true });

  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const s of stoppers.reverse()) await s().catch(() => undefined);
    stoppers.length = 0;
  };
  try {
    const azurite = await startAzurite({ accounts: world.storageAccounts.values().map((a) => ({ name: a.name })), location: join(dataDir, 'azurite'), host });
    stoppers.push(() => azurite.stop());
    for (const sa of world.storageAccounts.values()) {
      const keys = azurite.accounts.find((a) => a.name === sa.name)!;
      sa.key1 = keys.key1;
      sa.key2 = keys.key2;
      sa.blobEndpoint = azurite.blobEndpoint(sa.name);
    }
    for (const [account, containers] of seededContainers(profile)) {
      const sa = world.storageAccounts.values().find((a) => a.name === account)!;
      for (const c of containers) await blobServiceFor(sa).getContainerClient(c).createIfNotExists();
    }

    const controller = new AbortController();
    // Every migration listens to it; hundreds are normal, not a leak.
    setMaxListeners(0, controller.signal);
    stoppers.push(async () => controller.abort());
    const clock = new SimClock(options.clockSpeed ?? 1);
    stoppers.push(async () => clock.wakeAll());
    const faults = new Faults();
    const migrations = new NameMap<Migration>();
    stoppers.push(async () => migrations.values().forEach((m) => m.stop()));
    const restores = new NameMap<LogReplay>();
    stoppers.push(async () => restores.values().forEach((r) => r.stop()));
    const restoreFailures: RestoreFailure[] = [];
    const tdeCertificates = new TdeCertificateStore();
    const tdeBackups = new TdeBackupRegistry();
    const accessToken = randomBytes(32).toString('base64url');

    const emu: Emulator = {
      world,
      clock,
      longRunning: new LongRunningOperations(clock),
      faults,
      timings: { ...DEFAULT_TIMINGS, ...options.timings },
      pageSize: options.pageSize ?? 100,
      runtimeHeartbeatMs: options.runtimeHeartbeatMs ?? 2000,
      baseUrl: '',
      blobService: blobServiceFor,
      signal: controller.signal,
      migrations,
      restores,
      restoreFailures,
      tdeCertificates,
      tde: { backups: tdeBackups, holds: (mi, thumbprint) => tdeCertificates.holds(managedInstanceId(emu, mi), thumbprint) },
      resolveShare: (path, username, password) => resolveShare(world.shares, dataDir, path, username, password),
    };

    const readThrottle = options.armReadLimit === false ? undefined : new ArmReadThrottle({ now: () => clock.now() });
    const server: RunningServer = await startServer({
      armRoutes: new Router(emu, ARM_OPERATIONS),
      sandboxRoutes: new Router(emu, SANDBOX_ROUTES),
      faults,
      ...(readThrottle && { readThrottle }),
      accessToken,
      host,
      port: options.port ?? 0,
      onInternalError: (e) => process.stderr.write(`sandbox: internal error: ${(e as Error)?.stack ?? String(e)}\n`),
    });
    stoppers.push(() => server.close());
    emu.baseUrl = server.baseUrl;
    // Keys name the endpoint the runtime registers with, so they are made once it is known.
    const endpointHost = new URL(server.baseUrl).host;
    for (const s of world.services.values()) {
      s.authKey1 = newAuthKey(s.name, endpointHost);
      s.authKey2 = newAuthKey(s.name, endpointHost);
    }

    let sourceServer: SourceServer | undefined;
    const startSource = options.sourceServer === false ? undefined : options.sourceServer ?? defaultSourceServer;
    if (startSource) {
      sourceServer = await startSource({ profile: profile.sourceServer ?? {}, host });
      stoppers.push(() => sourceServer!.stop());
    }
    const fleet = options.fleet ? await startSandboxFleet(options.fleet, host) : undefined;
    if (fleet) stoppers.push(() => fleet.fleet.stop());
    const sourceProfile = sourceServer ? sourceProfileOf(profile.sourceServer) : undefined;
    if (sourceProfile && options.tdeBackups === 'source-profile') markSourceTde(tdeBackups, sourceProfile);

    const first = <T>(items: T[], what: string): T => {
      if (!items.length) throw new Error(`the seed profile has no ${what}; the sandbox needs at least one`);
      return items[0]!;
    };
    const mi = first(world.managedInstances.values(), 'managed instance');
    const sa = first(world.storageAccounts.values(), 'storage account');
    const service = first(world.services.values(), 'migration service');
    let targetServer: (TargetServer & { hostName: string }) | undefined;
    if (options.targetServer !== false) {
      targetServer = await startInstanceEndpoint(emu, mi, { host, ...(sourceProfile && { sourceProfile }) });
      stoppers.push(() => targetServer!.stop());
    }
    const sqlEndpoints = sqlEndpointsFor(
      host,
      sourceServer && sourceProfile && { name: sourceProfile.server.name, port: sourceServer.port, ...(sourceServer.certificate && { certificate: sourceServer.certificate }) },
      targetServer,
    );
    const cloudFile = join(dataDir, 'cloud.json');
    writeFileSync(
      cloudFile,
      `${JSON.stringify(
        {
          name: 'sandbox',
          displayName: 'Local sandbox',
          armEndpoint: server.baseUrl,
          armScope: `${server.baseUrl}/.default`,
          // Sign-in never leaves the machine: the token is in this file.
          authorityHost: server.baseUrl,
          storageSuffix: new URL(azurite.blobEndpoint(sa.name)).host,
          tenantId: world.tenantId,
          subscriptionId: world.subscriptionId,
          accessToken,
          ...(Object.keys(sqlEndpoints).length && { sqlEndpoints }),
        },
        null,
        2,
      )}\n`,
      { mode: 0o600 },
    );
    stoppers.push(async () => rmSync(cloudFile, { force: true }));
    if (ownsData) stoppers.unshift(async () => rmSync(dataDir, { recursive: true, force: true }));

    const info: SandboxInfo = {
      armEndpoint: server.baseUrl,
      accessToken,
      tenantId: world.tenantId,
      subscriptionId: world.subscriptionId,
      resourceGroup: mi.resourceGroup,
      managedInstanceId: managedInstanceId(emu, mi),
      storageAccountId: storageAccountId(emu, sa),
      blobEndpoint: sa.blobEndpoint,
      migrationServiceId: serviceId(emu, service),
      cloudFile,
      ...(sourceServer && { sourceServer: { host, port: sourceServer.port, user: sourceServer.user, password: sourceServer.password } }),
      ...(fleet && { fleet: fleet.info }),
      ...(targetServer && { targetServer: { host, port: targetServer.port, hostName: targetServer.hostName, user: targetServer.user, password: targetServer.password } }),
    };

    const runtimes: IntegrationRuntime[] = [];
    stoppers.push(async () => {
      for (const r of runtimes) await r.stop();
    });
    let stopped: Promise<void> | undefined;
    return {
      info,
      dataDir,
      azurite,
      clock,
      setClockSpeed: (speed) => clock.setSpeed(speed),
      advanceClock: (seconds) => clock.advance(seconds * 1000),
      faults: sandboxFaults(emu),
      ...(readThrottle && { readThrottle }),
      ...(fleet && { fleet: fleet.fleet }),
      tde: { backups: tdeBackups, certificates: tdeCertificates },
      shares: world.shares.map((s) => s.path),
      shareFolder: (path) => {
        const r = resolveShare(world.shares, dataDir, path ?? first(world.shares, 'share').path, undefined, undefined, false);
        if ('error' in r) throw new Error(r.error);
        mkdirSync(r.folder, { recursive: true });
        return r.folder;
      },
      startIntegrationRuntime: async (o = {}) => {
        const s = o.service ? servicesNamed(world.services.values(), o.service)[0] : service;
        if (!s) throw new Error(`no migration service named ${o.service}`);
        const ir = await IntegrationRuntime.start({
          authKey: s[o.keyName ?? 'authKey1'],
          nodeName: o.nodeName ?? 'SANDBOX-IR-1',
          ...(o.heartbeatMs !== undefined && { heartbeatMs: o.heartbeatMs }),
        });
        runtimes.push(ir);
        return ir;
      },
      stop: () => (stopped ??= stopAll()),
    };
  } catch (e) {
    await stopAll();
    if (ownsData) rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}

/** A UNC path (`\\localhost\sqlbackups\db1`) to its local folder, checking credentials when the share has a password. */
function resolveShare(
  shares: { path: string; folder: string; username?: string; password?: string }[],
  dataDir: string,
  path: string,
  username: string | undefined,
  password: string | undefined,
  checkAccess = true,
): { folder: string } | { error: string } {
  const norm = path.replace(/\//g, '\\').replace(/\\+$/, '');
  const share = shares.find((s) => {
    const root = s.path.replace(/\\+$/, '').toLowerCase();
    return norm.toLowerCase() === root || norm.toLowerCase().startsWith(`${root}\\`);
  });
  if (!share) return { error: `The network path ${path} was not found.` };
  const rest = norm.slice(share.path.replace(/\\+$/, '').length).split('\\').filter(Boolean);
  if (rest.some((p) => p === '..' || p === '.')) return { error: `The network path ${path} is not valid.` };
  if (checkAccess && share.password !== undefined) {
    const userOk = !share.username || (username ?? '').toLowerCase() === share.username.toLowerCase();
    if (!userOk || password !== share.password) return { error: `Access to the network share ${share.path} was denied: the user name or password is incorrect.` };
  }
  const folder = join(dataDir, share.folder, ...rest);
  if (checkAccess && !(existsSync(folder) && statSync(folder).isDirectory())) return { error: `The network path ${path} was not found.` };
  return { folder };
}
