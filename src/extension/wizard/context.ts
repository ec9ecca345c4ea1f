/**
 * What a wizard step module is written against: the context its handlers run in and the
 * shapes of its checks, loading, handlers and reducer cases. The controller provides the
 * context; handlers.ts, reducer.ts and validation.ts gather the modules into tables the
 * compiler checks are complete.
 */
import * as l10n from '@vscode/l10n';
import type { Cloud } from '../../core/azure/cloud';
import type { InstanceRecommendation } from '../../core/sku/recommend';
import type { Assessment, LogReplayRequest, MigrationRequest, MigrationSecrets, SignedInAccount } from '../services/types';
import type { Op, StepId, WebviewMessage, WebviewMessageType, WizardState } from '../../protocol/wizard';
import type { WizardDeps } from './deps';

/** Where an operation's progress shows: each step's own op, and the summary's start. */
export type Slice = 'account' | 'source' | 'target' | 'serverObjects' | 'backups' | 'service' | 'start';

export function sliceOf(step: StepId): Slice {
  return step === 'summary' ? 'start' : step;
}

export interface AnyAction {
  type: string;
}

export type OpAction = { type: 'op'; slice: Slice; op: Op };

/** What lives only in the host's memory while the wizard is open: never in the state, never saved. */
export interface Session {
  account: SignedInAccount | undefined;
  customCloud: Cloud | undefined;
  readonly secrets: MigrationSecrets;
  /** The last assessment's full report, and the way to stop one that runs. */
  assessment: Assessment | undefined;
  assessing: AbortController | undefined;
  /** The last size recommendation, for the databases it was made for (the target step checks each chosen instance against it). */
  sizing?: { folder: string; databases: string; recommendation: InstanceRecommendation };
}

export function requireAccount(session: Session): SignedInAccount {
  if (!session.account) throw new Error(l10n.t('You are not signed in. Go back to the first step and sign in.'));
  return session.account;
}

/** `A`: the results a module reports (its host actions); they are never accepted from the webview. */
export interface StepContext<A extends AnyAction = never> {
  readonly state: WizardState;
  readonly session: Session;
  readonly deps: WizardDeps;
  /** Aborted when the wizard closes. */
  readonly signal: AbortSignal;
  dispatch(action: A | OpAction | WebviewMessage): void;
  /** Runs `work` with the slice's op busy, then idle, or with the error (see `fail`). */
  run(slice: Slice, doing: string, work: () => Promise<void>, progress?: string): Promise<void>;
  /**
   * The one way a failure reaches the user: the detail goes to the log and the message to
   * `show`, both redacted. A cancellation shows `cancelled` instead; nothing shows once the
   * wizard is closed.
   */
  fail(e: unknown, doing: string, show: (op: Op) => void, cancelled?: Op): void;
  /** Loads what a step lists when it opens. */
  enter(step: StepId): Promise<void>;
  /** Sends the state (and the strings) again: a new webview document asked for them. */
  resend(): void;
  /** Forgets every answer, the account and the passwords. */
  startOver(): void;
  /** The answers as the request that starts the migrations; throws while a step is incomplete. */
  migrationRequest(): MigrationRequest;
  /** The same answers for the Log Replay Service; throws while a step is incomplete or another engine is chosen. */
  logReplayRequest(): LogReplayRequest;
}

export type MessageOf<T extends WebviewMessageType> = Extract<WebviewMessage, { type: T }>;

/** Runs after the message was reduced; `before` is the state it was reduced from. */
export type Handler<T extends WebviewMessageType, A extends AnyAction = never> = (ctx: StepContext<A>, message: MessageOf<T>, before: WizardState) => void | Promise<void>;
export type Handlers<A extends AnyAction = never> = { [T in WebviewMessageType]?: Handler<T, A> };

/** The handler of a message whose reducer case does all it asks. */
export const reducerOnly = (): void => undefined;

export type Reducer<A> = (s: WizardState, action: A) => WizardState;
export type Reducers<A extends AnyAction> = { [T in A['type']]?: Reducer<Extract<A, { type: T }>> };

/**
 * One thing that keeps a step from proceeding. `kind` groups the same problem of many databases
 * (the "to continue" area counts them and names the first few); `label` says what to do for the
 * whole kind; `database` links an item to its row.
 */
export interface Issue {
  kind: string;
  text: string;
  label?: string;
  database?: string;
}

/** A problem of the whole step (one of its kind). */
export const issue = (kind: string, text: string): Issue => ({ kind, text });

/** A wizard step on the host: everything it does, in one module. */
export interface HostStep<A extends AnyAction = never> {
  /** What keeps the step from proceeding, in words that say what to do (empty: Next is allowed). */
  check(s: WizardState): Issue[];
  /** What happens on entering the step: loads what it lists (only what is not loaded yet). */
  enter?(ctx: StepContext<A>): Promise<void>;
  /** One handler for each message the step owns. */
  handlers: Handlers<A>;
  /** How the step's messages and results change the state; a message without a case changes nothing. */
  reducers: Reducers<A | WebviewMessage>;
}

/**
 * The keys two or more of `parts` define (in `field`): `never` when each key has one owner.
 * Tables built by spreading the parts use it to refuse a key defined twice, which a spread
 * would otherwise let the later part win silently.
 */
export type DefinedTwice<Parts extends readonly unknown[], Field extends string, Seen = never> = Parts extends readonly [infer First, ...infer Rest]
  ? (KeysOf<First, Field> & Seen) | DefinedTwice<Rest, Field, Seen | KeysOf<First, Field>>
  : never;
type KeysOf<Part, Field extends string> = Part extends { [F in Field]: infer T } ? keyof T : never;

/** `Table` when no key is defined twice; otherwise a type nothing is assignable to, naming the keys. */
export type OnlyOnce<Table, Twice> = [Twice] extends [never] ? Table : { definedTwice: Twice };
