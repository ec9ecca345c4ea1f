/**
 * What every Azure-facing command shares: --cloud / --cloud-file, sign-in, subscription, --json,
 * and how secrets come in (environment variables only: a value on the command line would sit in
 * the shell history and in every process listing).
 */
import type { AzureContext } from '../core/azure/context';
import { RequestBudget } from '../core/azure/requestBudget';
import type { Cloud } from '../core/azure/cloud';
import { credentialForCloud, resolveCloud, SIGN_IN_METHODS, type SignInMethod } from '../core/azure/credentials';
import { UsageError, type Io, type Options, type Values } from './command';

export const CLOUD_OPTIONS: Options = {
  cloud: { type: 'string' },
  'cloud-file': { type: 'string' },
  json: { type: 'boolean' },
};

export const AZURE_OPTIONS: Options = {
  ...CLOUD_OPTIONS,
  'sign-in': { type: 'string' },
  tenant: { type: 'string' },
  subscription: { type: 'string' },
};

export const AZURE_HELP = `Azure options (every command):
  --cloud NAME        AzureCloud (default), AzureUSGovernment or AzureChinaCloud (aliases: public, usgov, china)
  --cloud-file PATH   a custom cloud described in a JSON file (Azure Stack, or the local sandbox)
  --sign-in METHOD    auto (default: environment, then the Azure CLI), azure-cli, environment, device-code
  --tenant ID         the Microsoft Entra tenant to sign in to
  --subscription ID   the subscription (default: AZURE_SUBSCRIPTION_ID, or the cloud file's)
  --json              print one JSON document instead of text`;

/** Where the help's examples find the local sandbox: `npm run sandbox -- --data /tmp/sqlmig-sandbox`. */
export const SANDBOX_DATA = '/tmp/sqlmig-sandbox';
export const SANDBOX_CLOUD = `--cloud-file ${SANDBOX_DATA}/cloud.json`;
/** The resources of the sandbox's default seed profile, under `$S` in the examples. */
export const SANDBOX_PROVIDERS = '/subscriptions/5a1db0c5-0000-4000-8000-00000000b0c5/resourceGroups/rg-sqlmig-sandbox/providers';
export const SANDBOX_SERVICE = '--resource-group rg-sqlmig-sandbox --name dms-sandbox';

/**
 * A help section with commands that work against the local sandbox as printed. Lines may set a
 * shell variable (S=...), continue with a trailing backslash, and use $S.
 */
export function sandboxExample(lines: string[], also = ''): string {
  const setup = `Example against the local sandbox. First, in another terminal: npm run sandbox -- --data ${SANDBOX_DATA}`;
  return `${setup}${also ? `\n(${also})` : ''}. Then:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

export interface AzureSession {
  cloud: Cloud;
  ctx: AzureContext;
}

export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

export function strs(values: Values, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function need(values: Values, name: string, why = ''): string {
  const v = str(values, name);
  if (!v) throw new UsageError(`--${name} is required${why ? ` ${why}` : ''}`);
  return v;
}

export async function cloudFrom(values: Values): Promise<Cloud> {
  try {
    return await resolveCloud({ ...(str(values, 'cloud') && { cloud: str(values, 'cloud') }), ...(str(values, 'cloud-file') && { cloudFile: str(values, 'cloud-file') }) });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export async function azureSession(values: Values, io: Io): Promise<AzureSession> {
  const cloud = await cloudFrom(values);
  const method = (str(values, 'sign-in') ?? 'auto') as SignInMethod;
  if (!SIGN_IN_METHODS.includes(method)) throw new UsageError(`--sign-in must be one of ${SIGN_IN_METHODS.join(', ')}`);
  const credential = credentialForCloud(cloud, {
    method,
    ...(str(values, 'tenant') && { tenantId: str(values, 'tenant') }),
    onDeviceCode: (message) => io.err(message),
  });
  // One budget for the whole command: ARM counts requests per subscription and principal.
  return { cloud, ctx: { cloud, credential, budget: new RequestBudget() } };
}

export function subscriptionOf(values: Values, session: AzureSession, io: Io): string {
  const sub = str(values, 'subscription') ?? io.env.AZURE_SUBSCRIPTION_ID ?? session.cloud.subscriptionId;
  if (!sub) throw new UsageError('name the subscription with --subscription (or set AZURE_SUBSCRIPTION_ID); "sqlmig targets list" lists them');
  return sub;
}

/** A secret from an environment variable; the error names the variable, never a value. */
export function secretFromEnv(io: Io, variable: string, what: string): string {
  const v = io.env[variable];
  if (!v) throw new UsageError(`set ${variable} to the ${what} (secrets are read from the environment, never from the command line)`);
  return v;
}

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/**
 * A JSON document printed as it is made: `open` starts it (e.g. `{"results":[`), each `item` is
 * one element of the array on its own line, `close` ends it. What was printed is the same
 * document `printJson` would give, so a consumer can read it whole or follow it line by line.
 */
export class JsonStream {
  private first = true;

  constructor(private readonly io: Io, open: string) {
    io.out(open);
  }

  item(value: unknown): void {
    this.io.out(`${this.first ? '' : ','}${JSON.stringify(value)}`);
    this.first = false;
  }

  /** Ends the current array (with `text`, e.g. `],"next":[`): the next item starts a new one. */
  next(text: string): void {
    this.io.out(text);
    this.first = true;
  }

  close(text: string): void {
    this.io.out(text);
  }
}

/** "abcd…wxyz": enough to tell two keys apart, not enough to use one. */
export function mask(secret: string | undefined): string {
  if (!secret) return '(none)';
  return secret.length <= 12 ? '****' : `${secret.slice(0, 4)}…${secret.slice(-4)}`;
}
