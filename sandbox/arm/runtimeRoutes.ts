/**
 * The emulated migration service's side of the integration runtime's protocol, under
 * `/_sandbox/ir/` (the product never calls these; ir/protocol.ts has the messages). Like the
 * real runtime, a node proves itself with one of the service's authentication keys: it
 * registers, then sends heartbeats that carry its figures and bring back upload jobs, and
 * reports on what it uploaded.
 */
import type { FileReport, HeartbeatReply, RegisterReply, UploadJob } from '../ir/protocol';
import type { Emulator } from './emulator';
import { ArmError, type ArmRequest, type ArmResponse } from './http';
import { sandboxRoute } from './router';
import { serviceId } from './sqlMigrationServices';
import type { RuntimeNode, ServiceRec } from './world';

function keyOwner(emu: Emulator, authKey: unknown): { service: ServiceRec; keyName: 'authKey1' | 'authKey2' } | undefined {
  if (typeof authKey !== 'string' || !authKey) return undefined;
  for (const service of emu.world.services.values()) {
    if (service.authKey1 === authKey) return { service, keyName: 'authKey1' };
    if (service.authKey2 === authKey) return { service, keyName: 'authKey2' };
  }
  return undefined;
}

const denied = (message: string) => new ArmError(401, 'InvalidAuthKey', message);

function bodyOf(req: ArmRequest): Record<string, unknown> {
  return typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
}

/** The registered node this request speaks for, if its key is still current. */
function speakingNode(emu: Emulator, req: ArmRequest): { service: ServiceRec; node: RuntimeNode } {
  const b = bodyOf(req);
  const owner = keyOwner(emu, b.authKey);
  if (!owner) throw denied('The authentication key is not valid (it may have been regenerated): register again with a current key.');
  const n = owner.service.nodes.get(String(b.nodeName ?? ''));
  if (!n || n.keyName !== owner.keyName || !n.online) throw denied('This node is not registered with the service: register it again.');
  return { service: owner.service, node: n };
}

/** The share migrations of the service the runtime should upload for now. */
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

Runtime_Register.route = sandboxRoute('POST', '/_sandbox/ir/register', 'authKey');
/** Registers (or re-registers) a node with the service whose key it presents. */
export function Runtime_Register(emu: Emulator, req: ArmRequest): ArmResponse {
  const b = bodyOf(req);
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
  const reply: RegisterReply = { serviceId: serviceId(emu, owner.service), integrationRuntimeName: owner.service.name, nodeName, heartbeatMs: emu.runtimeHeartbeatMs };
  return { status: 200, body: reply };
}

Runtime_Heartbeat.route = sandboxRoute('POST', '/_sandbox/ir/heartbeat', 'authKey');
/** Keeps the node online, takes its figures, and hands it the upload jobs. */
export function Runtime_Heartbeat(emu: Emulator, req: ArmRequest): ArmResponse {
  const { service, node } = speakingNode(emu, req);
  node.lastHeartbeat = Date.now();
  const stats = bodyOf(req).stats;
  if (stats && typeof stats === 'object') {
    for (const [k, v] of Object.entries(stats)) if (k in node.stats && typeof v === 'number' && Number.isFinite(v)) (node.stats as Record<string, number>)[k] = v;
  }
  const reply: HeartbeatReply = { jobs: jobsFor(emu, service) };
  return { status: 200, body: reply };
}

Runtime_Report.route = sandboxRoute('POST', '/_sandbox/ir/report', 'authKey');
/** What the node saw in a migration's share and uploaded, and what keeps it from uploading. */
export function Runtime_Report(emu: Emulator, req: ArmRequest): ArmResponse {
  const { service } = speakingNode(emu, req);
  const b = bodyOf(req);
  const m = emu.migrations.values().find((x) => x.id === b.migrationId && x.service === service);
  if (!m) throw new ArmError(404, 'MigrationNotFound', 'No migration of this service has that id.');
  const files = Array.isArray(b.files) ? (b.files as FileReport[]).filter((f) => typeof f?.name === 'string' && typeof f.size === 'number') : [];
  const errors = Array.isArray(b.errors) ? b.errors.filter((e): e is string => typeof e === 'string') : [];
  if (!m.terminal) m.reportShare(files, errors);
  return { status: 200, body: {} };
}
