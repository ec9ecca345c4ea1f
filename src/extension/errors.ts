/**
 * Errors the user sees. Each says what failed and what to do next; the raw details (service
 * codes, stacks) go to the log. No `vscode` import: the command wrapper and tests share it.
 */

/** The user backed out (Escape, a dismissed dialog): nothing to report. */
export class UserCancelledError extends Error {
  constructor() {
    super('cancelled by the user');
    this.name = 'UserCancelledError';
  }
}

/** A failure with the step the user should take next. */
export class ActionableError extends Error {
  constructor(
    message: string,
    readonly next: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ActionableError';
  }
}

/** Azure needs a sign-in the editor cannot make without asking. */
export class NotSignedInError extends ActionableError {
  constructor() {
    super('You are not signed in to Azure.', 'Run "Sign in to Azure" (or sign in on the first step of "Migrate to Azure SQL"), then retry.');
    this.name = 'NotSignedInError';
  }
}

export function isCancellation(e: unknown): boolean {
  if (e instanceof UserCancelledError) return true;
  const name = (e as { name?: unknown } | null)?.name;
  return name === 'AbortError' || name === 'Canceled' || name === 'CancellationError';
}

export interface ErrorReport {
  /** One or two sentences for a notification. */
  message: string;
  /** What to do next. */
  next: string;
  /** Everything known, for the log. */
  detail: string;
}

/** Turns any thrown value into what the user reads and what the log keeps. */
export function describeError(e: unknown, doing: string): ErrorReport {
  const err = e instanceof Error ? e : new Error(String(e));
  const service = e as { code?: unknown; statusCode?: unknown };
  const code = typeof service.code === 'string' ? service.code : undefined;
  const status = typeof service.statusCode === 'number' ? service.statusCode : undefined;
  const detail = [`${doing} failed`, code && `code ${code}`, status && `HTTP ${status}`, err.stack ?? err.message].filter(Boolean).join('\n');
  if (err instanceof ActionableError) return { message: err.message, next: err.next, detail };
  const why = code ? `${err.message} (${code})` : err.message;
  return { message: `${doing} failed: ${why}`, next: nextStepFor(status, code), detail };
}

function nextStepFor(status: number | undefined, code: string | undefined): string {
  if (status === 401 || code === 'InvalidAuthenticationToken' || code === 'ExpiredAuthenticationToken') return 'Sign in to Azure again, then retry.';
  if (status === 403 || code === 'AuthorizationFailed' || code === 'AccessDenied') return 'Ask for access to the resource (or pick another subscription), then retry.';
  if (status === 404) return 'Refresh the view: the resource may have been deleted.';
  if (status === 409) return 'Another operation is running on this resource; wait for it to finish, then retry.';
  if (status === 429) return 'Azure is throttling requests; wait a minute, then retry.';
  if (status !== undefined && status >= 500) return 'The service had a problem; retry in a few minutes.';
  return 'See the Azure SQL Migration log for details, then retry.';
}
