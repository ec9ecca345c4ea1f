/**
 * Azure failures as messages a DBA can act on: what failed, the service's code and message,
 * and what to do next. Nothing from the request (bodies carry passwords and keys) is kept.
 */
import { retryAfterMs } from './retry';
import { maskSecrets } from '../redact';

export interface AzureErrorInit {
  /** What we were doing, e.g. "start the migration of Sales". */
  action?: string;
  code?: string;
  statusCode?: number;
  /** The service's own message. */
  serviceMessage?: string;
  hint?: string;
  retryAfterMs?: number;
}

export class AzureError extends Error {
  /** What we were doing, when known. */
  readonly action: string | undefined;
  readonly code: string;
  readonly statusCode: number | undefined;
  readonly serviceMessage: string;
  readonly hint: string | undefined;
  /** The Retry-After of the last response, for pollers that back off. */
  readonly retryAfterMs: number | undefined;

  constructor(init: AzureErrorInit) {
    const code = init.code ?? 'Unknown';
    const service = init.serviceMessage ?? 'no details were returned';
    const head = init.action ? `Could not ${init.action}: ` : '';
    const status = init.statusCode ? ` (HTTP ${init.statusCode})` : '';
    // No `cause`: the SDK's error holds the request, whose body may carry passwords and keys.
    super(`${head}${code}${status}: ${service}${init.hint ? `\n${init.hint}` : ''}`);
    this.name = 'AzureError';
    this.action = init.action;
    this.code = code;
    this.statusCode = init.statusCode;
    this.serviceMessage = service;
    this.hint = init.hint;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** What to do about a code, keyed by ARM/DMS error code (case-insensitive). */
const HINTS: Record<string, string> = {
  integrationruntimeisnotonline:
    'The migration service\'s self-hosted integration runtime is not online. Get its keys with ' +
    '"sqlmig dms keys --resource-group RG --name DMS", install the integration runtime on a machine that ' +
    'reaches the source SQL Server and the backup share, register it with one of the keys, then check ' +
    '"sqlmig dms nodes" until a node is listed.',
  migrationnotreadyforcutovererror:
    'The migration is not ready for cutover yet: wait until "sqlmig migrate status" shows ReadyForCutover ' +
    '(full backup restored, no log backup pending).',
  cutovernotallowedmigrationcompleteerror: 'The migration has already completed; there is nothing to cut over.',
  migrationnotreadyforcancelerror: 'Only a migration in progress can be canceled; check "sqlmig migrate status".',
  deletemigrationnotallowedmigrationinprogress:
    'The migration is still in progress: cancel it first ("sqlmig migrate cancel"), or delete with --force.',
  operationidnotfound:
    'The migration operation id does not match the current operation (the migration was restarted?). ' +
    'Run "sqlmig migrate status" to get the current one.',
  operationinprogress: 'Another operation on this resource is still running; wait for it and try again.',
  invalidcontainername: 'The container name "backup" is reserved on SQL Managed Instance: use another container.',
  deleteservicenotallowed: 'The migration service still has migrations: delete or finish them first.',
  regenerateauthenticationkeynameinvalid: 'The key name must be authKey1 or authKey2.',
  authorizationfailed:
    'Your account lacks permission on this scope: ask for the Contributor role (or a custom role with the ' +
    'Microsoft.DataMigration, Microsoft.Sql and Microsoft.Storage actions) on the resource group.',
  accessdenied: 'Your account lacks permission on this resource: ask for the Contributor role on its resource group.',
  invalidauthenticationtoken: 'The sign-in token was refused: sign in again (az login, or the editor\'s Azure account).',
  expiredauthenticationtoken: 'The sign-in token has expired: sign in again (az login, or the editor\'s Azure account).',
  invalidauthenticationtokentenant:
    'The token is for another tenant than this subscription: sign in to the subscription\'s tenant (az login --tenant ...).',
  subscriptionnotfound: 'The subscription was not found, or your account cannot see it: check --subscription and your tenant.',
  subscriptiondoesnotexist: 'The subscription was not found, or your account cannot see it: check --subscription and your tenant.',
  missingsubscriptionregistration:
    'The subscription is not registered for this resource provider: run "az provider register --namespace Microsoft.DataMigration" ' +
    '(or Microsoft.Sql / Microsoft.Storage, as named above) and retry.',
  resourcegroupnotfound: 'The resource group does not exist in this subscription: check --resource-group, or create it.',
  resourcenotfound: 'The resource does not exist: check its name, resource group and subscription.',
  resourcedoesnotexist: 'The resource does not exist: check its name, resource group and subscription.',
  parentresourcenotfound: 'The parent resource (managed instance or migration service) does not exist: check its name and resource group.',
  resourcealreadyexists: 'A resource with this name already exists: pick another name, or reuse it.',
  toomanyrequests: 'Azure is throttling requests: wait a minute and retry, or watch fewer migrations at once.',
  parse_error:
    'The answer was not valid JSON (a proxy or gateway error page?): retry; if it persists, check the proxies between this machine and Azure.',
  invalidresponse: 'The service answered in a way sqlmig does not understand: retry; if it persists, open a support request with the time and the resource id.',
  unexpectederroroccurred: 'The service hit an internal error: retry; if it persists, open a support request with the time and the resource id.',
};

const STATUS_HINTS: Record<number, string> = {
  401: HINTS.invalidauthenticationtoken!,
  403: HINTS.accessdenied!,
  404: HINTS.resourcenotfound!,
  409: HINTS.operationinprogress!,
  429: HINTS.toomanyrequests!,
};

export function hintFor(code: string | undefined, statusCode?: number): string | undefined {
  return (code && HINTS[code.toLowerCase()]) || (statusCode !== undefined ? STATUS_HINTS[statusCode] : undefined) ||
    (statusCode !== undefined && statusCode >= 500 ? HINTS.unexpectederroroccurred : undefined);
}

interface RestErrorLike {
  name?: string;
  code?: string;
  statusCode?: number;
  message?: string;
  response?: { status?: number; headers?: { get(name: string): string | undefined }; bodyAsText?: string | null; parsedBody?: unknown };
  details?: unknown;
}

function bodyError(body: unknown): { code?: string; message?: string } | undefined {
  if (body && typeof body === 'object' && 'error' in body) {
    const err = (body as { error?: unknown }).error;
    if (err && typeof err === 'object') {
      const { code, message } = err as { code?: unknown; message?: unknown };
      return { ...(typeof code === 'string' && { code }), ...(typeof message === 'string' && { message }) };
    }
  }
  return undefined;
}

function parseBody(text: string | null | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EPIPE', 'REQUEST_SEND_ERROR']);

/** Wraps anything an Azure SDK or our REST client threw; AbortErrors pass through, AzureErrors get the action and lose the secrets. */
export function toAzureError(e: unknown, action?: string, redact: readonly string[] = []): Error {
  const clean = (s: string | undefined) => (s === undefined ? undefined : redactSecrets(s, redact));
  if (e instanceof AzureError) {
    // Raised deep inside a call (an unusable page, a foreign link, a failed operation whose
    // message may echo the request): say which call and what to do, and cut the secrets out.
    const serviceMessage = clean(e.serviceMessage)!;
    const hint = e.hint !== undefined ? clean(e.hint) : e.action || !action ? undefined : hintFor(e.code, e.statusCode);
    if ((e.action || !action) && serviceMessage === e.serviceMessage && hint === e.hint) return e;
    const act = e.action ?? action;
    return new AzureError({ ...(act && { action: act }), code: e.code, serviceMessage, ...(e.statusCode !== undefined && { statusCode: e.statusCode }), ...(hint && { hint }), ...(e.retryAfterMs !== undefined && { retryAfterMs: e.retryAfterMs }) });
  }
  const err = e as RestErrorLike;
  if (err?.name === 'AbortError') return e as Error;
  const status = err?.statusCode ?? err?.response?.status;
  const fromBody = bodyError(err?.details) ?? bodyError(err?.response?.parsedBody) ?? bodyError(parseBody(err?.response?.bodyAsText));
  if (status === undefined && err?.code && NETWORK_CODES.has(err.code)) {
    return new AzureError({
      ...(action && { action }),
      code: err.code,
      serviceMessage: clean(err.message) ?? 'the connection failed',
      hint: 'The service could not be reached: check the network (or that the sandbox is running) and retry.',
    });
  }
  const code = fromBody?.code ?? (err?.code && err.code !== 'REQUEST_SEND_ERROR' ? err.code : undefined);
  const retry = retryAfterMs(err?.response?.headers);
  const hint = hintFor(code, status);
  return new AzureError({
    ...(action && { action }),
    ...(code && { code }),
    ...(status !== undefined && { statusCode: status }),
    serviceMessage: clean(fromBody?.message ?? err?.message) ?? String(e),
    ...(hint && { hint }),
    ...(retry !== undefined && { retryAfterMs: retry }),
  });
}

export function redactSecrets(text: string, secrets: readonly string[]): string {
  return maskSecrets(text, secrets);
}

/** Runs an Azure call and rethrows its failure as an AzureError about `action`. */
export async function azureCall<T>(action: string, call: () => Promise<T>, redact: readonly string[] = []): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw toAzureError(e, action, redact);
  }
}
