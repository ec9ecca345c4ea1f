/**
 * What keeps a wizard step from proceeding: each step's own check, gathered so the reducer
 * can run the current one after every action (the webview shows the result next to Next).
 */
import { STEPS, type StepId, type WizardState } from '../../protocol/wizard';
import type { HostStep } from './context';
import { accountStep } from './steps/account';
import { backupsStep } from './steps/backups';
import { serviceStep } from './steps/service';
import { sourceStep } from './steps/source';
import { summaryStep } from './steps/summary';
import { targetStep } from './steps/target';

const CHECKS: { [S in StepId]: HostStep<never>['check'] } = {
  account: accountStep.check,
  source: sourceStep.check,
  target: targetStep.check,
  backups: backupsStep.check,
  service: serviceStep.check,
  summary: summaryStep.check,
};

export function validateStep(s: WizardState, step: StepId): string[] {
  return CHECKS[step](s);
}

/** The first step that is not complete: where a resumed wizard opens (never past where it was). */
export function firstIncompleteStep(s: WizardState, steps: readonly StepId[]): StepId | undefined {
  return steps.find((step) => validateStep(s, step).length > 0);
}

/** The steps before the summary that are not complete: nothing starts while one is. */
export function incompleteSteps(s: WizardState): StepId[] {
  return STEPS.filter((step) => step !== 'summary' && validateStep(s, step).length > 0);
}
