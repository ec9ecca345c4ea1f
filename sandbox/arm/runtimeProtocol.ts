/**
 * How the emulated self-hosted integration runtime talks to the emulated migration service,
 * under `/_sandbox/ir/` (the product never calls these). Like the real runtime it proves
 * itself with one of the service's authentication keys: register, then heartbeats that carry
 * its node's figures and bring back upload jobs, and reports on what it uploaded.
 */
import type { Emulator } from './context';
import { serviceId } from './dms';
import { ArmError, errorBody, type ArmRequest, type ArmResponse } from './http';
import type { RuntimeNode, ServiceRec } from './world';

/** One network-share migration the runtime uploads for. Carries secrets: never log it. */
export interface UploadJob {
  migrationId: string;
  /** The local folder standing in for the share. */
  folder: string;
  blobEndpoint: string;
  accountName: string;
  accountKey: string;
  container: string;
}

export interface FileReport {
  name: string;
  size: number;
  status: 'Arrived' | 'Uploading' | 'Uploaded';
  dataWritten: number;
  copyThroughput: number;
  copyDuration: number;
}

function keyOwner(emu: Emulator, authKey: unknown): { service: ServiceRec; keyName: 'authKey1' | 'authKey2' } | undefined {
  if (typeof authKey !== 'string' || !authKey) return undefined;
  for (const service of emu.world.services.values()) {
    if (service.authKey1 === authKey) return { service, keyName: 'authKey1' };
    if (service.authKey2 === authKey) return { service, keyName: 'authKey2' };
  }
  return undefined;
}

const denied = (message: string) => new ArmError(401, 'InvalidAuthKey', message);

function body(req: ArmRequest): Record<string, unknown> {
  return typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
}

/** The registered node this request speaks for, if its key is still current. */
function node(emu: Emulator, req: ArmRequest): { service: ServiceRec; node: RuntimeNode } {
  const b = body(req);
  const owner = keyOwner(emu, b.authKey);
  if (!owner) throw denied('The authentication key is not valid (it may have been regenerated): register again with a current key.');
  const n = owner.service.nodes.get(String(b.nodeName ?? ''));
  if (!n || n.keyName !== owner.keyName || !n.online) throw denied('This node is not registered with the service: register it again.');
  return { service: owner.service, node: n };
}

function jobsFor(emu: Emulator, service: ServiceRec): UploadJob[] {
  if (service.forcedOffline) return [];
  const jobs: UploadJob[] = [];
  for (const m of emu.migrations.values()) {
    if (m.service !== service || m.sourceKind !== 'FileShare' || m.terminal || m.provisioningState !== 'Succeeded' || !m.account) continue;
    if (m.migrationStatus === 'Canceling' || m.migrationStatus === 'Completing') continue;
    const share = (m.request.backupConfiguration as { sourceLocation: { fileShare: { username?: string } } }).sourceLocation.fileShare;
    const resolved = emu.resolveShare(m.sharePath!, share.username, m.secrets.sharePassword);
    if ('error' in resolved) {
      if (m.fileUploadBlockingErrors[0] !== resolved.error) m.reportShare([], [resolved.error]);
      continue;
    }
    jobs.push({ migrationId: m.id, folder: resolved.folder, blobEndpoint: m.account.blobEndpoint, accountName: m.account.name, accountKey: m.secrets.targetAccountKey ?? '', container: m.container });
  }
  return jobs;
}

export async function runtimeRoutes(emu: Emulator, req: ArmRequest): Promise<ArmResponse | undefined> {
  const path = req.url.pathname.toLowerCase();
  if (req.method !== 'POST') return undefined;
  try {
    if (path === '/_sandbox/ir/register') {
      const b = body(req);
      const owner = keyOwner(emu, b.authKey);
      if (!owner) throw denied('The authentication key is not valid for any migration service of this sandbox.');
      const nodeName = typeof b.nodeName === 'string' && b.nodeName ? b.nodeName : 'SANDBOX-IR';
      const existing = owner.service.nodes.get(nodeName);
      const now = Date.now();
      owner.service.nodes.set(nodeName, {
        nodeName,
        machineName: typeof b.machineName === 'string' ? b.machineName : nodeName,
        keyName: owner.keyName,
        registeredAt: existing?.registeredAt ?? now,
        lastHeartbeat: now,
        online: true,
        stats: existing?.stats ?? { availableMemoryInMB: 8192, cpuUtilization: 0, concurrentJobsLimit: 8, concurrentJobsRunning: 0, maxConcurrentJobs: 8, sentBytes: 0, receivedBytes: 0 },
      });
      return { status: 200, body: { serviceId: serviceId(emu, owner.service), integrationRuntimeName: owner.service.name, nodeName, heartbeatMs: emu.runtimeHeartbeatMs } };
    }
    if (path === '/_sandbox/ir/heartbeat') {
      const { service, node: n } = node(emu, req);
      n.lastHeartbeat = Date.now();
      const stats = body(req).stats;
      if (stats && typeof stats === 'object') {
        for (const [k, v] of Object.entries(stats)) if (k in n.stats && typeof v === 'number' && Number.isFinite(v)) (n.stats as Record<string, number>)[k] = v;
      }
      return { status: 200, body: { jobs: jobsFor(emu, service) } };
    }
    if (path === '/_sandbox/ir/report') {
      const { service } = node(emu, req);
      const b = body(req);
      const m = emu.migrations.values().find((x) => x.id === b.migrationId && x.service === service);
      if (!m) throw new ArmError(404, 'MigrationNotFound', 'No migration of this service has that id.');
      const files = Array.isArray(b.files) ? (b.files as FileReport[]).filter((f) => typeof f?.name === 'string' && typeof f.size === 'number') : [];
      const errors = Array.isArray(b.errors) ? b.errors.filter((e): e is string => typeof e === 'string') : [];
      if (!m.terminal) m.reportShare(files, errors);
      return { status: 200, body: {} };
    }
  } catch (e) {
    if (e instanceof ArmError) return { status: e.status, body: errorBody(e.code, e.message) };
    throw e;
  }
  return undefined;
}
