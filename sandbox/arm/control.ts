/**
 * Fault injection and the clock, in process (`sandbox.faults`, `sandbox.setClockSpeed`) and as
 * the admin routes under `/_sandbox/` that need the sandbox's bearer token:
 *
 *   GET|PUT /_sandbox/clock {speed?, advanceSeconds?}   GET|POST|DELETE /_sandbox/faults {FaultSpec}
 *   PUT /_sandbox/faults/slowOperations {seconds}   PUT /_sandbox/faults/runtime {offline, service?}
 *   POST /_sandbox/faults/restore {fileName, code?, message?}
 *
 * A request the routes cannot act on answers 400 InvalidSandboxRequest, saying why.
 */
import type { RestoreFailure } from '../dms/types';
import type { Emulator } from './emulator';
import { ArmError, badRequest, type ArmRequest, type ArmResponse } from './http';
import { parseFault, type FaultSpec } from './faults';
import { sandboxRoute } from './router';
import { rgKey, type ServiceRec } from './world';

export interface SandboxFaults {
  add(spec: FaultSpec): void;
  list(): FaultSpec[];
  /** Removes every fault, restore failure, slowness and forced runtime outage. */
  clear(): void;
  /** Every long-running operation takes this many more simulated seconds. */
  slowOperations(seconds: number): void;
  /** The service's runtime reports Offline (and uploads stop) until set back. */
  runtimeOffline(offline: boolean, service?: string): void;
  /** The restore of the backup set holding this file fails (migrationFailureError). */
  failRestore(failure: RestoreFailure): void;
}

/** The services a name picks (`name` or `resourceGroup/name`, any case); every one when none is given. */
export function servicesNamed(services: ServiceRec[], name?: string): ServiceRec[] {
  return name ? services.filter((s) => s.name.toLowerCase() === name.toLowerCase() || rgKey(s.resourceGroup, s.name).toLowerCase() === name.toLowerCase()) : services;
}

/** The faults of an emulator, as `sandbox.faults` offers them. */
export function sandboxFaults(emu: Emulator): SandboxFaults {
  return {
    add: (spec) => emu.faults.add(spec),
    list: () => emu.faults.list(),
    clear: () => {
      emu.faults.clear();
      // Emptied in place: running migrations read this very array.
      emu.restoreFailures.length = 0;
      for (const s of emu.world.services.values()) s.forcedOffline = false;
    },
    slowOperations: (seconds) => {
      emu.faults.slowOperationsMs = Math.max(0, seconds) * 1000;
    },
    runtimeOffline: (offline, service) => {
      for (const s of servicesNamed(emu.world.services.values(), service)) s.forcedOffline = offline;
    },
    failRestore: (f) => {
      if (typeof f?.fileName !== 'string' || !f.fileName) throw new Error('failRestore needs a fileName');
      emu.restoreFailures.push({ ...f });
    },
  };
}

function bodyOf(req: ArmRequest): Record<string, unknown> {
  return (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
}

/** Runs `act`; what it refuses becomes a 400 that says why. */
function invalidAs400<T>(act: () => T): T {
  try {
    return act();
  } catch (e) {
    throw badRequest('InvalidSandboxRequest', e instanceof ArmError ? e.message : (e as Error).message);
  }
}

const ok = (body: unknown = {}): ArmResponse => ({ status: 200, body });
const clockJson = (emu: Emulator) => ({ speed: emu.clock.speed, now: emu.clock.date().toISOString() });

Clock_Get.route = sandboxRoute('GET', '/_sandbox/clock', 'bearer');
export function Clock_Get(emu: Emulator): ArmResponse {
  return ok(clockJson(emu));
}

Clock_Set.route = sandboxRoute('PUT', '/_sandbox/clock', 'bearer');
export function Clock_Set(emu: Emulator, req: ArmRequest): ArmResponse {
  const b = bodyOf(req);
  invalidAs400(() => {
    if (b.speed === undefined && b.advanceSeconds === undefined) throw new Error('give "speed" (simulated seconds per real second) or "advanceSeconds" (a jump forward)');
    if (b.speed !== undefined) emu.clock.setSpeed(Number(b.speed));
    if (b.advanceSeconds !== undefined) emu.clock.advance(Number(b.advanceSeconds) * 1000);
  });
  return ok(clockJson(emu));
}

Faults_List.route = sandboxRoute('GET', '/_sandbox/faults', 'bearer');
export function Faults_List(emu: Emulator): ArmResponse {
  return ok({ faults: sandboxFaults(emu).list(), slowOperationsSeconds: emu.faults.slowOperationsMs / 1000, restoreFailures: emu.restoreFailures });
}

Faults_Add.route = sandboxRoute('POST', '/_sandbox/faults', 'bearer');
export function Faults_Add(emu: Emulator, req: ArmRequest): ArmResponse {
  const faults = sandboxFaults(emu);
  invalidAs400(() => faults.add(parseFault(req.body)));
  return ok({ faults: faults.list() });
}

Faults_Clear.route = sandboxRoute('DELETE', '/_sandbox/faults', 'bearer');
export function Faults_Clear(emu: Emulator): ArmResponse {
  sandboxFaults(emu).clear();
  return ok();
}

Faults_SlowOperations.route = sandboxRoute('PUT', '/_sandbox/faults/slowOperations', 'bearer');
export function Faults_SlowOperations(emu: Emulator, req: ArmRequest): ArmResponse {
  sandboxFaults(emu).slowOperations(Number(bodyOf(req).seconds) || 0);
  return ok();
}

Faults_RuntimeOffline.route = sandboxRoute('PUT', '/_sandbox/faults/runtime', 'bearer');
export function Faults_RuntimeOffline(emu: Emulator, req: ArmRequest): ArmResponse {
  const b = bodyOf(req);
  sandboxFaults(emu).runtimeOffline(b.offline !== false, typeof b.service === 'string' ? b.service : undefined);
  return ok();
}

Faults_FailRestore.route = sandboxRoute('POST', '/_sandbox/faults/restore', 'bearer');
export function Faults_FailRestore(emu: Emulator, req: ArmRequest): ArmResponse {
  invalidAs400(() => sandboxFaults(emu).failRestore(bodyOf(req) as unknown as RestoreFailure));
  return ok();
}
