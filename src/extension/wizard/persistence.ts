/**
 * What a closed wizard leaves behind, and how a reopened one resumes. The state holds no
 * secret by construction; saving also forgets everything that was true only at that moment
 * (running operations, connection tests, started results, loaded keys, the assessment report
 * itself: its per-database verdicts stay), and resuming asks again for what was only in
 * memory (passwords).
 */
import { STEPS, parseWizardState, type StepId, type WizardState } from '../../protocol/wizard';
import { finalize } from './reducer';
import { IDLE } from './state';
import { DEFAULT_ENGINE, skippedSteps } from './steps/engine';
import { NO_SERVER_OBJECTS } from './steps/serverObjects';
import { firstIncompleteStep } from './validation';

function withoutProgress<T extends { progress?: number }>(a: T): Omit<T, 'progress'> {
  const { progress: _progress, ...rest } = a;
  return rest;
}

function withoutNote<T extends { selectionNote?: string }>(a: T): Omit<T, 'selectionNote'> {
  const { selectionNote: _note, ...rest } = a;
  return rest;
}

export function toSaved(s: WizardState): WizardState {
  return {
    ...s,
    issues: [],
    account: { ...s.account, op: IDLE },
    source: { ...withoutNote(s.source), passwordEntered: false, op: IDLE, assessment: { ...withoutProgress(s.source.assessment), op: IDLE, reportAvailable: false } },
    target: { ...s.target, op: IDLE },
    backups: { ...s.backups, sharePasswordEntered: false, op: IDLE, databases: s.backups.databases.map((d) => ({ ...d, checkOp: IDLE })) },
    service: { ...s.service, keysLoaded: false, test: undefined, op: IDLE },
    serverObjects: { ...s.serverObjects, passwordEntered: false, op: IDLE, results: [] },
    start: { op: IDLE, results: [] },
  };
}

/**
 * States saved by earlier versions resume: before the engine choice there was no `engine` (the
 * migration service, then), and its access was `sas` before it applied to both engines; version
 * 2 had one target instance (`instanceId`, `existingDatabases`), issues as plain lines and one
 * mode for every assessment result; before that, a folder the extension uploads was called
 * `local` (the core and sqlmig say `upload`).
 */
function upgrade(saved: unknown): unknown {
  type V2 = {
    version?: number;
    issues?: unknown;
    backups?: { location?: unknown };
    target?: { instanceId?: string; existingDatabases?: string[]; [k: string]: unknown };
    source?: { assessment?: { mode?: string; results?: Record<string, unknown>[] } };
  };
  let s = saved as (V2 & { engine?: unknown; capabilities?: Record<string, unknown> }) | null;
  if (!s || typeof s !== 'object') return saved;
  if (s.backups?.location === 'local') s = { ...s, backups: { ...s.backups, location: 'upload' } };
  // Before the engine choice every migration went through the migration service; capabilities are recomputed on load.
  if (s.engine === undefined) s = { ...s, engine: DEFAULT_ENGINE };
  // Before the migration service could read with the managed identity too, the key was the Log Replay Service's SAS.
  const engine = s.engine as { access?: string } | undefined;
  if (engine?.access === 'sas') s = { ...s, engine: { ...engine, access: 'key' } };
  if (s.capabilities && typeof s.capabilities === 'object' && !('logReplay' in s.capabilities)) s = { ...s, capabilities: { ...s.capabilities, logReplay: { available: true } } };
  // Before the Server objects step: nothing besides the databases.
  if (s.capabilities && typeof s.capabilities === 'object' && !('serverObjects' in s.capabilities)) s = { ...s, capabilities: { ...s.capabilities, serverObjects: { available: true } } };
  if ((s as { serverObjects?: unknown }).serverObjects === undefined) s = { ...s, serverObjects: NO_SERVER_OBJECTS } as typeof s;
  if (s.version === 2 && s.target && s.source?.assessment) {
    const { instanceId, existingDatabases, ...target } = s.target;
    const a = s.source.assessment;
    s = {
      ...s,
      version: 3,
      issues: [],
      target: { ...target, instanceIds: instanceId ? [instanceId] : [], existing: instanceId ? [{ instanceId, names: existingDatabases ?? [] }] : [] },
      source: { ...s.source, assessment: { ...a, results: (a.results ?? []).map((r) => ({ ...r, ...(a.mode && { mode: a.mode }) })) } },
    };
  }
  return s;
}

/** The saved state if it is still valid (else undefined: the wizard starts fresh). */
export function fromSaved(saved: unknown): WizardState | undefined {
  if (saved === undefined || saved === null) return undefined;
  const parsed = parseWizardState(upgrade(saved));
  return parsed.ok ? toSaved(parsed.value) : undefined;
}

/** Where to reopen: the saved step, or the first earlier step that needs an answer again. */
export function resume(s: WizardState): WizardState {
  const reached = STEPS.indexOf(s.step);
  const incomplete = firstIncompleteStep(s, STEPS.slice(0, reached));
  // A step the engine skips is never shown (a hand-edited or odd state): the one before it then.
  const step: StepId = incomplete ?? (skippedSteps(s).has(s.step) ? STEPS[reached - 1]! : s.step);
  return finalize({ ...s, step });
}
