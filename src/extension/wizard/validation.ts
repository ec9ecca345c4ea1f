/**
 * What keeps a wizard step from proceeding: each step's own check, gathered so the reducer
 * can run the current one after every action (the webview shows the result next to Next).
 */
import { ISSUE_ITEMS_SHOWN, STEPS, type IssueGroup, type StepId, type WizardState } from '../../protocol/wizard';
import type { HostStep, Issue } from './context';
import { accountStep } from './steps/account';
import { backupsStep } from './steps/backups';
import { serverObjectsStep } from './steps/serverObjects';
import { serviceStep } from './steps/service';
import { sourceStep } from './steps/source';
import { summaryStep } from './steps/summary';
import { targetStep } from './steps/target';

const CHECKS: { [S in StepId]: HostStep<never>['check'] } = {
  account: accountStep.check,
  source: sourceStep.check,
  target: targetStep.check,
  serverObjects: serverObjectsStep.check,
  backups: backupsStep.check,
  service: serviceStep.check,
  summary: summaryStep.check,
};

export function validateStep(s: WizardState, step: StepId): Issue[] {
  return CHECKS[step](s);
}

/** The issues by kind, in the order each kind first appears: how many, and the first few. */
export function groupIssues(issues: readonly Issue[]): IssueGroup[] {
  const groups = new Map<string, IssueGroup>();
  for (const i of issues) {
    let g = groups.get(i.kind);
    if (!g) groups.set(i.kind, (g = { kind: i.kind, label: i.label ?? i.text, count: 0, items: [] }));
    g.count++;
    if (g.items.length < ISSUE_ITEMS_SHOWN) g.items.push({ text: i.text, ...(i.database !== undefined && { database: i.database }) });
    if (i.database !== undefined) (g.databases ??= []).push(i.database);
  }
  return [...groups.values()];
}

/** The texts the "to continue" area shows by name (the first few of each kind). */
export function issueTexts(s: Pick<WizardState, 'issues'>): string[] {
  return s.issues.flatMap((g) => g.items.map((i) => i.text));
}

/** The first step that is not complete: where a resumed wizard opens (never past where it was). */
export function firstIncompleteStep(s: WizardState, steps: readonly StepId[]): StepId | undefined {
  return steps.find((step) => validateStep(s, step).length > 0);
}

/** The steps before the summary that are not complete: nothing starts while one is. */
export function incompleteSteps(s: WizardState): StepId[] {
  return STEPS.filter((step) => step !== 'summary' && validateStep(s, step).length > 0);
}
