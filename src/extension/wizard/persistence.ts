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
import { firstIncompleteStep } from './validation';

function withoutProgress<T extends { progress?: number }>(a: T): Omit<T, 'progress'> {
  const { progress: _progress, ...rest } = a;
  return rest;
}

export function toSaved(s: WizardState): WizardState {
  return {
    ...s,
    issues: [],
    account: { ...s.account, op: IDLE },
    source: { ...s.source, passwordEntered: false, op: IDLE, assessment: { ...withoutProgress(s.source.assessment), op: IDLE, reportAvailable: false } },
    target: { ...s.target, op: IDLE },
    backups: { ...s.backups, sharePasswordEntered: false, op: IDLE, databases: s.backups.databases.map((d) => ({ ...d, checkOp: IDLE })) },
    service: { ...s.service, keysLoaded: false, test: undefined, op: IDLE },
    start: { op: IDLE, results: [] },
  };
}

/**
 * Earlier versions called a folder the extension uploads `local`; the core and sqlmig call it
 * `upload`, and so does the state now. A state saved before that still resumes.
 */
function upgrade(saved: unknown): unknown {
  const backups = (saved as { backups?: { location?: unknown } } | null)?.backups;
  if (backups?.location !== 'local') return saved;
  return { ...(saved as object), backups: { ...backups, location: 'upload' } };
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
  const step: StepId = incomplete ?? s.step;
  return finalize({ ...s, step });
}
