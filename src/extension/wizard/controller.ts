/**
 * The host side of the wizard, as wiring: a message from the webview is validated, reduced,
 * then handed to its step's handler (handlers.ts); every change of state is published. The
 * steps hold the behaviour; this holds the state, the session (what only memory keeps: the
 * account, passwords, the assessment report) and the one path a failure takes to the user.
 */
import * as l10n from '@vscode/l10n';
import { loadCloudFile } from '../../core/azure/cloud';
import { describeError, isCancellation } from '../errors';
import { diffState, fitHostMessage, parseWebviewMessage, type HostMessage, type Op, type StepId, type WebviewMessage, type WizardState } from '../../protocol/wizard';
import { sliceOf, type Session, type Slice, type StepContext } from './context';
import type { WizardDeps, WizardLog } from './deps';
import { ENTER, handle } from './handlers';
import { fromSaved, resume, toSaved } from './persistence';
import { initialState, reduce, type Action } from './reducer';
import { buildLogReplayRequest, buildRequest } from './request';
import { busyOp, capabilityView, IDLE } from './state';
import { cloudChoices, cloudFor } from './steps/account';
import { recallPassword } from './steps/source';
import { attachSavedConnections } from './steps/sourceFinders';

/** Every line the wizard logs passes the redactor: a message may quote a secret the user typed. */
function redactingLog(log: WizardLog, redact: (text: string) => string): WizardLog {
  return { info: (m) => log.info(redact(m)), warn: (m) => log.warn(redact(m)), error: (m) => log.error(redact(m)) };
}

/** The least time between two messages to the webview: progress that comes faster is sent together. */
const PUBLISH_INTERVAL_MS = 100;
/** How long the state may go unsaved after a change (many changes in a row are saved once). */
const SAVE_DELAY_MS = 250;

export class WizardController {
  private state: WizardState;
  /** What the webview holds (what the next patch is made against); undefined until it has a whole state. */
  private sent: WizardState | undefined;
  private lastPublished = 0;
  private publishTimer: ReturnType<typeof setTimeout> | undefined;
  private publishQueued = false;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  /** What was saved last, as JSON. */
  private savedJson = '';
  private readonly session: Session = { account: undefined, customCloud: undefined, secrets: {}, assessment: undefined, assessing: undefined };
  private readonly abort = new AbortController();
  private readonly log: WizardLog;
  private readonly context: StepContext<Action>;
  private sentL10n = false;
  /** Every handler in flight, so tests (and dispose) can wait for them. */
  private readonly running = new Set<Promise<void>>();
  /** Stops following the MSSQL extension's hand-over and saved connections. */
  private readonly detachSaved: () => void;

  constructor(private readonly deps: WizardDeps) {
    this.log = redactingLog(deps.log, (text) => deps.redactor.redact(text));
    this.context = this.stepContext();
    let fresh = initialState(cloudChoices(deps, this.session), deps.defaultCloud === 'custom' && !deps.customCloud ? deps.clouds[0]?.name ?? 'AzureCloud' : deps.defaultCloud);
    if (deps.customCloud) {
      this.session.customCloud = deps.customCloud.cloud;
      deps.redactor.add(deps.customCloud.cloud.accessToken);
      fresh = reduce(fresh, { type: 'account.cloudFile', path: deps.customCloud.path, name: deps.customCloud.cloud.name, displayName: deps.customCloud.cloud.displayName });
    }
    const saved = fromSaved(deps.store.load());
    this.state = reduce(saved ?? fresh, { type: 'capabilities', capabilities: this.capabilities() });
    if (saved) this.track(this.resume(), l10n.t('Reopening the wizard'));
    // A server handed over from the MSSQL extension's Object Explorer fills the source step.
    this.detachSaved = attachSavedConnections(this.context);
  }

  get current(): WizardState {
    return this.state;
  }

  /** Resolves when every handler started so far has finished, and the webview and the store have what they did. */
  async settled(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
    this.flush();
    this.saveNow();
  }

  dispose(): void {
    this.detachSaved();
    this.abort.abort();
    clearTimeout(this.publishTimer);
    this.saveNow();
  }

  /** A message from the webview: validated, reduced, then handled by its step. */
  receive(raw: unknown): void {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      // Never echo the message itself: it may carry a password.
      this.log.warn(`wizard: ignored an invalid message from the webview (${parsed.error})`);
      return;
    }
    const message: WebviewMessage = parsed.value;
    const before = this.state;
    this.dispatch(message);
    // What the user did shows at once, even right after a batch of progress.
    this.publishNow();
    // Async even when the handler is not: what it throws takes the same path as a rejection.
    this.track((async () => handle(this.context, message, before))(), l10n.t('Your last action'));
  }

  private stepContext(): StepContext<Action> {
    const controller = this;
    return {
      get state() {
        return controller.state;
      },
      session: this.session,
      deps: { ...this.deps, log: this.log },
      signal: this.abort.signal,
      dispatch: (action) => this.dispatch(action),
      run: (slice, doing, work, progress) => this.run(slice, doing, work, progress),
      fail: (e, doing, show, cancelled) => this.fail(e, doing, show, cancelled),
      enter: (step) => this.enter(step),
      resend: () => {
        // A new document: the whole state (and the strings), then patches against it.
        this.sentL10n = false;
        this.sent = undefined;
        this.publish();
      },
      startOver: () => this.startOver(),
      migrationRequest: () => buildRequest(this.state),
      logReplayRequest: () => buildLogReplayRequest(this.state),
    };
  }

  private capabilities(): WizardState['capabilities'] {
    const s = this.deps.services;
    return {
      accounts: capabilityView(s.accounts.availability),
      subscriptions: capabilityView(s.subscriptions.availability),
      source: capabilityView(s.source.availability),
      targets: capabilityView(s.targets.availability),
      storage: capabilityView(s.storage.availability),
      backupCheck: capabilityView(s.backupCheck.availability),
      migrationServices: capabilityView(s.migrationServices.availability),
      starter: capabilityView(s.starter.availability),
      logReplay: capabilityView(s.logReplay?.availability ?? { available: false, reason: l10n.t('The Log Replay Service is not available in this build.') }),
      serverObjects: capabilityView(s.serverObjects?.availability ?? { available: false, reason: l10n.t('Moving logins, TDE certificates and server objects is not available in this build.') }),
    };
  }

  private dispatch(action: Action): void {
    const next = reduce(this.state, action);
    if (next === this.state) return;
    this.state = next;
    this.publish();
  }

  private startOver(): void {
    this.session.account = undefined;
    delete this.session.secrets.sqlPassword;
    delete this.session.secrets.sharePassword;
    delete this.session.secrets.targetPassword;
    this.state = reduce(initialState(cloudChoices(this.deps, this.session), this.deps.defaultCloud), { type: 'capabilities', capabilities: this.capabilities() });
    this.publish();
  }

  /**
   * Sends what changed: at once when nothing was sent for a while or the user acted (receive),
   * else with the next batch when changes come fast (an assessment's progress); the state is
   * saved a moment later. Nothing waits on a timer in tests: settled() flushes both.
   */
  private publish(): void {
    this.scheduleSave();
    if (this.publishQueued) return;
    this.publishQueued = true;
    const wait = this.lastPublished + PUBLISH_INTERVAL_MS - Date.now();
    if (wait <= 0) queueMicrotask(() => this.flush());
    else this.publishTimer = setTimeout(() => this.flush(), wait);
  }

  /** What is waiting for the next batch goes in this turn instead. */
  private publishNow(): void {
    if (!this.publishTimer) return;
    clearTimeout(this.publishTimer);
    this.publishTimer = undefined;
    queueMicrotask(() => this.flush());
  }

  /** Posts the state, or what changed since the webview had it, now. */
  private flush(): void {
    if (!this.publishQueued) return;
    this.publishQueued = false;
    clearTimeout(this.publishTimer);
    this.publishTimer = undefined;
    if (this.abort.signal.aborted) return;
    const state = this.state;
    let message: HostMessage;
    if (!this.sent) {
      message = { type: 'state', state };
      if (!this.sentL10n && this.deps.l10nBundle) message.l10n = this.deps.l10nBundle;
      this.sentL10n = true;
    } else {
      const ops = diffState(this.sent, state);
      if (!ops.length) return;
      message = { type: 'patch', ops };
    }
    // Validated here as the webview will: a state it refused would leave the wizard stuck.
    const fitted = fitHostMessage(message);
    if (fitted.clipped.length) this.log.warn(`wizard: shortened to fit the webview's message limits: ${fitted.clipped.join(', ')}`);
    this.deps.host.post(fitted.message);
    // The next patch is made against this state: a clipped value stays clipped in the webview until it changes.
    this.sent = state;
    this.lastPublished = Date.now();
  }

  private scheduleSave(): void {
    this.saveTimer ??= setTimeout(() => this.saveNow(), SAVE_DELAY_MS);
  }

  private saveNow(): void {
    if (!this.saveTimer) return;
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    const saved = toSaved(this.state);
    // What is saved leaves out what was true only for a moment (an operation's status, an
    // assessment's progress): when only that changed, there is nothing to write again.
    const json = JSON.stringify(saved);
    if (json === this.savedJson) return;
    this.savedJson = json;
    this.deps.store.save(saved, json).catch((e) => this.log.warn(`wizard: could not save its state: ${(e as Error).message}`));
  }

  /** Keeps `work` until it ends; what it throws unhandled shows on the current step, as `doing` failed. */
  private track(work: Promise<void>, doing: string): void {
    const tracked = work
      .catch((e) => this.fail(e, doing, (op) => this.dispatch({ type: 'op', slice: sliceOf(this.state.step), op })))
      .finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  private async run(slice: Slice, doing: string, work: () => Promise<void>, progress?: string): Promise<void> {
    const show = (op: Op) => this.dispatch({ type: 'op', slice, op });
    show(busyOp(progress));
    try {
      await work();
      show(IDLE);
    } catch (e) {
      this.fail(e, doing, show);
    }
  }

  /** The one path a failure takes to the user: the detail to the log, the message to `show`, both redacted. */
  private fail(e: unknown, doing: string, show: (op: Op) => void, cancelled: Op = IDLE): void {
    if (this.abort.signal.aborted) return; // closed: nobody to tell
    if (isCancellation(e)) {
      show(cancelled);
      return;
    }
    const report = describeError(e, doing);
    this.log.error(report.detail);
    show({ status: 'error', message: this.deps.redactor.redact(`${report.message} ${report.next}`) });
  }

  private async enter(step: StepId): Promise<void> {
    await ENTER[step]?.(this.context);
  }

  /** A reopened wizard: the account signs in again where it can, a remembered password comes back, and it opens on the first step that needs an answer. */
  private async resume(): Promise<void> {
    const a = this.state.account;
    if (a.cloudName === 'custom' && a.customCloudFile) {
      try {
        this.session.customCloud = await loadCloudFile(a.customCloudFile);
        this.deps.redactor.add(this.session.customCloud.accessToken);
      } catch (e) {
        this.log.warn(`wizard: the saved cloud file can no longer be read: ${(e as Error).message}`);
      }
    }
    const cloud = cloudFor(this.deps, this.session, a.cloudName);
    if (a.signedIn && cloud && this.deps.services.accounts.availability.available) {
      try {
        this.session.account = await this.deps.services.accounts.signIn(cloud, this.abort.signal);
      } catch {
        this.session.account = undefined;
      }
    }
    if (!this.session.account && a.signedIn) this.state = reduce(this.state, { type: 'account.signedOut' });
    await recallPassword(this.context);
    this.state = resume(this.state);
    this.publish();
    await this.enter(this.state.step);
  }
}
