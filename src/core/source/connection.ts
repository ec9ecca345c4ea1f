/**
 * A connection to the source SQL Server through mssql/tedious. Every product query is a
 * `SourceQuery` with a stable id, sent as a comment at the top of its text so that traces on the
 * server (and the sandbox) can tell which question was asked. Queries honour an AbortSignal:
 * aborting sends a TDS attention, which stops the server's work, not just our wait.
 */
import sql from 'mssql';
import { formatServerAddress, parseServerAddress } from './address';
import { connectError, queryError, SourceError, type ErrorContext } from './errors';

export type SourceAuth =
  | { kind: 'sql'; user: string; password: string }
  /** NTLM: DOMAIN\user (or user plus domain) with a password. */
  | { kind: 'windows'; user: string; password: string; domain?: string }
  /**
   * A Microsoft Entra access token for SQL. `audience` is the resource SQL Server expects in the
   * chosen cloud (sqlDatabaseResource in src/core/azure/cloud.ts; https://database.windows.net/
   * in Azure public, https://database.usgovcloudapi.net/ in US Government): a token issued for
   * another is refused before connecting, with what to do.
   */
  | { kind: 'entra-token'; token: string; audience?: string };

/**
 * mandatory: TLS after PRELOGIN (TDS 7.4), the usual setting; optional: plain unless the server
 * insists (then login fails with a TLS error); strict: TLS before anything else (TDS 8.0,
 * SQL Server 2022+), which also always validates the certificate.
 */
export type EncryptMode = 'mandatory' | 'optional' | 'strict';

export interface SourceConnectionOptions {
  /** HOST, HOST,PORT or HOST\INSTANCE. */
  server: string;
  auth: SourceAuth;
  encrypt?: EncryptMode;
  /** Accept any server certificate (not in strict mode). Say so to the user: it disables a check. */
  trustServerCertificate?: boolean;
  /** PEM certificate(s) to trust in addition to the system's, e.g. a server's self-signed one. */
  trustedCertificates?: string;
  /** The name to expect in the server's certificate when connecting by another name or an IP. */
  hostNameInCertificate?: string;
  /** Database to log in to; master when absent. */
  database?: string;
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
  /** Connections opened at most, so independent queries can run side by side. */
  maxConnections?: number;
  applicationName?: string;
}

export type SqlParamType = 'nvarchar' | 'int';
export interface SqlParam {
  name: string;
  type: SqlParamType;
  value: string | number | null;
}

export interface SourceQuery {
  /** Stable id, e.g. "server.databases"; it heads the text as a comment. */
  id: string;
  text: string;
  params?: SqlParam[];
}

/** A query whose text starts with its id comment. */
export function sourceQuery(id: string, text: string, params?: SqlParam[]): SourceQuery {
  return { id, text: `/* sqlmig:${id} */\n${text.trim()}`, ...(params?.length && { params }) };
}

export interface QueryOptions {
  signal?: AbortSignal;
}

export interface SourceConnection {
  /** How the server was named, for messages. */
  readonly server: string;
  /** Queries sent so far (each one is one round trip). */
  readonly roundTrips: number;
  query<Row = Record<string, unknown>>(q: SourceQuery, options?: QueryOptions): Promise<Row[]>;
  close(): Promise<void>;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
const DEFAULT_QUERY_TIMEOUT_MS = 120_000;

function abortError(signal: AbortSignal, what: string): SourceError {
  const reason = signal.reason instanceof Error && signal.reason.name !== 'AbortError' ? `: ${signal.reason.message}` : '';
  return new SourceError('cancelled', `${what} was cancelled${reason}.`);
}

/** Rejects as soon as the signal aborts; `onAbort` cleans up what was started. */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, what: string, onAbort: () => void): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    onAbort();
    return Promise.reject(abortError(signal, what));
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort();
      reject(abortError(signal, what));
    };
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', abort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', abort);
        reject(e);
      },
    );
  });
}

export function driverConfig(options: SourceConnectionOptions): sql.config {
  const address = parseServerAddress(options.server);
  const encrypt = options.encrypt ?? 'mandatory';
  const auth = options.auth;
  const base: sql.config = {
    server: address.host,
    ...(address.port && { port: address.port }),
    database: options.database ?? 'master',
    connectionTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    requestTimeout: options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
    pool: { min: 0, max: Math.max(1, options.maxConnections ?? 2), idleTimeoutMillis: 30_000 },
    // A pooled connection is checked by its socket, not with an extra SELECT 1 round trip.
    validateConnection: 'socket',
    options: {
      encrypt: encrypt === 'strict' ? 'strict' : encrypt === 'mandatory',
      trustServerCertificate: encrypt !== 'strict' && Boolean(options.trustServerCertificate),
      ...(address.instance && { instanceName: address.instance }),
      ...(options.hostNameInCertificate && { serverName: options.hostNameInCertificate }),
      ...(options.trustedCertificates && { cryptoCredentialsDetails: { ca: options.trustedCertificates } }),
      appName: options.applicationName ?? 'sqlmig',
      // Catalog batches and module definitions are large: fewer, bigger packets (and TLS records).
      packetSize: 32_768,
      abortTransactionOnError: true,
    },
  } as sql.config;
  switch (auth.kind) {
    case 'sql':
      return { ...base, user: auth.user, password: auth.password };
    case 'windows': {
      const [domain, user] = auth.user.includes('\\') ? (auth.user.split('\\', 2) as [string, string]) : [auth.domain ?? '', auth.user];
      return { ...base, authentication: { type: 'ntlm', options: { userName: user, password: auth.password, domain } } };
    }
    case 'entra-token':
      return { ...base, authentication: { type: 'azure-active-directory-access-token', options: { token: auth.token } } };
  }
}

function userOf(auth: SourceAuth): string | undefined {
  return auth.kind === 'entra-token' ? undefined : auth.user;
}

/** The audience (`aud` claim) a JWT access token was issued for; undefined when the token cannot be read as one. */
export function tokenAudience(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const aud = (JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { aud?: unknown })?.aud;
    return typeof aud === 'string' ? aud : undefined;
  } catch {
    return undefined;
  }
}

const PUBLIC_SQL_AUDIENCE = 'https://database.windows.net/';
const withoutSlash = (url: string) => url.replace(/\/+$/, '').toLowerCase();

/**
 * A token for another cloud's SQL (or another service) never logs in: say so before connecting.
 * Tokens whose audience is an application id (a GUID, not a URL) are left to the server.
 */
function checkTokenAudience(auth: SourceAuth, server: string): void {
  if (auth.kind !== 'entra-token' || !auth.audience) return;
  const aud = tokenAudience(auth.token);
  if (!aud || !/^https?:\/\//i.test(aud) || withoutSlash(aud) === withoutSlash(auth.audience)) return;
  throw new SourceError('login-failed',
    `The Microsoft Entra access token is for ${aud}, but SQL Server in the chosen cloud takes tokens for ${auth.audience}: ${server} would refuse it. ` +
    `Get a token for ${auth.audience} (az account get-access-token --resource ${auth.audience}), or choose the cloud the token was issued in.`);
}

/** The login advice names Azure public's SQL audience (src/core/source/errors.ts): name the chosen cloud's instead. */
function inCloud(e: SourceError, auth: SourceAuth): SourceError {
  if (auth.kind !== 'entra-token' || !auth.audience || withoutSlash(auth.audience) === withoutSlash(PUBLIC_SQL_AUDIENCE) || !e.message.includes(PUBLIC_SQL_AUDIENCE)) return e;
  return new SourceError(e.kind, e.message.split(PUBLIC_SQL_AUDIENCE).join(auth.audience), e.number, e.queryId);
}

/** Opens a connection (and logs in) or throws a SourceError saying which failure class it hit. */
export async function connectSource(options: SourceConnectionOptions, queryOptions: QueryOptions = {}): Promise<SourceConnection> {
  const server = formatServerAddress(parseServerAddress(options.server));
  checkTokenAudience(options.auth, server);
  const ctx: ErrorContext = {
    server,
    ...(userOf(options.auth) && { user: userOf(options.auth) }),
    encrypt: options.encrypt ?? 'mandatory',
    trustServerCertificate: Boolean(options.trustServerCertificate),
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    queryTimeoutMs: options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
  };
  const pool = new sql.ConnectionPool(driverConfig(options));
  // mssql emits pool errors (a broken idle connection); queries report their own failures.
  pool.on('error', () => undefined);
  try {
    await abortable(pool.connect(), queryOptions.signal, `Connecting to ${server}`, () => void pool.close().catch(() => undefined));
  } catch (e) {
    await pool.close().catch(() => undefined);
    throw inCloud(connectError(e, ctx), options.auth);
  }
  let roundTrips = 0;
  return {
    server,
    get roundTrips() {
      return roundTrips;
    },
    async query<Row>(q: SourceQuery, o: QueryOptions = {}): Promise<Row[]> {
      o.signal?.throwIfAborted();
      const request = pool.request();
      for (const p of q.params ?? []) {
        request.input(p.name, p.type === 'int' ? sql.Int : sql.NVarChar(4000), p.value);
      }
      roundTrips++;
      try {
        const result = await abortable(request.query(q.text), o.signal, `Query ${q.id} on ${server}`, () => request.cancel());
        return result.recordset as unknown as Row[];
      } catch (e) {
        throw queryError(e, { ...ctx, queryId: q.id });
      }
    },
    close: () => pool.close().then(() => undefined, () => undefined),
  };
}
