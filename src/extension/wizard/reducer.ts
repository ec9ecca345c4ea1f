/**
 * The wizard's state machine: a pure reducer over the webview's intents and the results the
 * host's handlers report. Every answer lives here; the webview only renders it. The cases are
 * the step modules'; this gathers them, and recomputes what blocks Next after each change.
 */
import { CAPABILITIES, type IssueGroup, type WebviewMessage, type WizardState } from '../../protocol/wizard';
import type { DefinedTwice, OnlyOnce, OpAction, Reducer } from './context';
import { navigation } from './navigation';
import { IDLE, NO_ASSESSMENT, withBackupsFollowing, withPlacement } from './state';
import { accountStep, type AccountAction } from './steps/account';
import { backupsStep, type BackupsAction } from './steps/backups';
import { DEFAULT_ENGINE, engineStep } from './steps/engine';
import { NO_SERVER_OBJECTS, serverObjectsStep, type ServerObjectsAction } from './steps/serverObjects';
import { serviceStep, type ServiceAction } from './steps/service';
import { sourceStep, type SourceAction } from './steps/source';
import { summaryStep, type SummaryAction } from './steps/summary';
import { targetStep, type TargetAction } from './steps/target';
import { groupIssues, validateStep } from './validation';

type CapabilitiesAction = { type: 'capabilities'; capabilities: WizardState['capabilities'] };

/** Results reported by the host's handlers; never accepted from the webview. */
export type HostAction = OpAction | CapabilitiesAction | AccountAction | SourceAction | TargetAction | BackupsAction | ServiceAction | SummaryAction | ServerObjectsAction;

export type Action = WebviewMessage | HostAction;

type ReducerOf<T extends Action['type']> = Reducer<Extract<Action, { type: T }>>;
/** Every result needs a case (it exists to change the state); a message without one changes nothing. */
type ReducerTable = { [T in HostAction['type']]: ReducerOf<T> } & { [T in WebviewMessage['type']]?: ReducerOf<T> };

/** Results any step reports. */
const anyStep = {
  reducers: {
    op: (s, a) => ({ ...s, [a.slice]: { ...s[a.slice], op: a.op } }),
    capabilities: (s, a) => ({ ...s, capabilities: a.capabilities }),
  } satisfies { op: ReducerOf<'op'>; capabilities: ReducerOf<'capabilities'> },
};

const PARTS = [anyStep, navigation, accountStep, sourceStep, targetStep, serverObjectsStep, engineStep, backupsStep, serviceStep, summaryStep] as const;

const REDUCERS: OnlyOnce<ReducerTable, DefinedTwice<typeof PARTS, 'reducers'>> = {
  ...anyStep.reducers,
  ...navigation.reducers,
  ...accountStep.reducers,
  ...sourceStep.reducers,
  ...targetStep.reducers,
  ...serverObjectsStep.reducers,
  ...engineStep.reducers,
  ...backupsStep.reducers,
  ...serviceStep.reducers,
  ...summaryStep.reducers,
};

export function initialState(clouds: { name: string; displayName: string }[], cloudName: string): WizardState {
  const allAvailable = Object.fromEntries(CAPABILITIES.map((c) => [c, { available: true }])) as WizardState['capabilities'];
  return finalize({
    version: 3,
    step: 'account',
    reached: 'account',
    capabilities: allAvailable,
    issues: [],
    account: { clouds, cloudName, op: IDLE },
    source: { server: '', authentication: 'SqlAuthentication', userName: '', encrypt: 'mandatory', trustServerCertificate: false, passwordEntered: false, rememberPassword: false, databases: [], selected: [], assessment: NO_ASSESSMENT, op: IDLE },
    target: { subscriptions: [], instances: [], instanceIds: [], existing: [], op: IDLE },
    serverObjects: NO_SERVER_OBJECTS,
    engine: DEFAULT_ENGINE,
    backups: { mode: 'online', location: 'upload', storageAccounts: [], containers: [], shareUserName: '', sharePasswordEntered: false, databases: [], op: IDLE },
    service: { services: [], newName: '', newResourceGroup: '', newLocation: '', keysLoaded: false, nodes: [], op: IDLE },
    start: { op: IDLE, results: [] },
  });
}

/** Lists the selection on the backups step, places it on the chosen instances, and recomputes what keeps the current step from proceeding. */
export function finalize(s: WizardState): WizardState {
  const placed = withPlacement(withBackupsFollowing(s));
  return { ...placed, issues: sameIssues(placed.issues, groupIssues(validateStep(placed, placed.step))) };
}

/** The same list when nothing in it changed: an unchanged part of the state is not sent again. */
function sameIssues(before: IssueGroup[], after: IssueGroup[]): IssueGroup[] {
  return JSON.stringify(before) === JSON.stringify(after) ? before : after;
}

/** The same state (not a copy) when nothing changed: the controller publishes only changes. */
export function reduce(s: WizardState, action: Action): WizardState {
  // The table is keyed by type, so the case takes this very action; TypeScript cannot follow that through the union.
  const reducer = REDUCERS[action.type] as Reducer<Action> | undefined;
  const next = reducer ? reducer(s, action) : s;
  return next === s ? s : finalize(next);
}
