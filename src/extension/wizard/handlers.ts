/**
 * Which module handles each webview message: one table, complete (a message without a handler
 * does not compile) and with one owner per message (a message two modules handle does not
 * compile either).
 */
import type { WebviewMessage, WebviewMessageType, WizardState } from '../../protocol/wizard';
import type { DefinedTwice, Handler, OnlyOnce, StepContext } from './context';
import { navigation } from './navigation';
import type { Action } from './reducer';
import { accountStep } from './steps/account';
import { backupsStep } from './steps/backups';
import { engineStep } from './steps/engine';
import { serverObjectsStep } from './steps/serverObjects';
import { serviceStep } from './steps/service';
import { sourceStep } from './steps/source';
import { summaryStep } from './steps/summary';
import { targetStep } from './steps/target';

const PARTS = [navigation, accountStep, sourceStep, targetStep, serverObjectsStep, engineStep, backupsStep, serviceStep, summaryStep] as const;

type HandlerTable = { [T in WebviewMessageType]: Handler<T, Action> };

const HANDLERS: OnlyOnce<HandlerTable, DefinedTwice<typeof PARTS, 'handlers'>> = {
  ...navigation.handlers,
  ...accountStep.handlers,
  ...sourceStep.handlers,
  ...targetStep.handlers,
  ...serverObjectsStep.handlers,
  ...engineStep.handlers,
  ...backupsStep.handlers,
  ...serviceStep.handlers,
  ...summaryStep.handlers,
};

/** Runs the message's handler; `before` is the state before the message was reduced. */
export function handle(ctx: StepContext<Action>, message: WebviewMessage, before: WizardState): void | Promise<void> {
  // The table is keyed by type, so the handler takes this very message; TypeScript cannot follow that through the union.
  const handler = HANDLERS[message.type] as Handler<WebviewMessageType, Action>;
  return handler(ctx, message as never, before);
}

/** What a step does on entering it, for the steps that load something. */
export const ENTER: Partial<Record<WizardState['step'], (ctx: StepContext<Action>) => Promise<void>>> = {
  source: sourceStep.enter,
  target: targetStep.enter,
  serverObjects: serverObjectsStep.enter,
  backups: backupsStep.enter,
  service: serviceStep.enter,
};
