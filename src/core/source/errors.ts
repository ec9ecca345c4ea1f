/**
 * What went wrong talking to the source SQL Server, in classes a user can act on. Messages say
 * what failed, why (SQL Server's number and text where there is one) and what to do next; they
 * never carry a password or token, because none of the inputs they are built from holds one.
 */

export type SourceErrorKind =
  | 'unreachable' // no TCP connection, name not found, SQL Browser did not answer, connect timeout
  | 'login-failed' // the server refused the credentials
  | 'tls' // encryption could not be negotiated or the certificate is not trusted
  | 'permission' // logged in, but not allowed to read something
  | 'timeout' // a query ran longer than allowed
  | 'cancelled' // the user (or an AbortSignal) stopped it
  | 'sql'; // any other error SQL Server reported

export class SourceError extends Error {
  override readonly name = 'SourceError';
  constructor(
    readonly kind: SourceErrorKind,
    message: string,
    /** SQL Server's error number, when the server sent one. */
    readonly number?: number,
    /** The id of the product query that failed, when a query failed. */
    readonly queryId?: string,
  ) {
    super(message);
  }
}

/** SQL Server errors that mean "you may not": SELECT denied, no access to a database, VIEW SERVER STATE... */
const PERMISSION_NUMBERS = new Set([229, 230, 262, 297, 300, 916, 15247, 15151, 4060]);
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|ERR_SSL|ERR_TLS|EPROTO|HANDSHAKE/i;
const NET_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

interface DriverError {
  code?: string;
  number?: number;
  message?: string;
  originalError?: DriverError;
  cause?: DriverError;
  errors?: DriverError[];
}

/** Every error in the chain mssql and tedious build (wrapper, original, cause, aggregate). */
function chain(e: DriverError): DriverError[] {
  const out: DriverError[] = [];
  const visit = (x: DriverError | undefined, depth: number) => {
    if (!x || depth > 6 || out.includes(x)) return;
    out.push(x);
    visit(x.originalError, depth + 1);
    visit(x.cause, depth + 1);
    for (const inner of x.errors ?? []) visit(inner, depth + 1);
  };
  visit(e, 0);
  return out;
}

export interface ErrorContext {
  /** How the user named the server, e.g. "sql01,1433". */
  server: string;
  /** The login, for login failures (never the password). */
  user?: string;
  /** Whether the connection asked for encryption, to explain TLS failures. */
  encrypt?: 'mandatory' | 'optional' | 'strict';
  trustServerCertificate?: boolean;
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
  queryId?: string;
}

/** Turns whatever mssql/tedious threw while connecting into a SourceError with advice. */
export function connectError(e: unknown, ctx: ErrorContext): SourceError {
  if (e instanceof SourceError) return e;
  const all = chain(e as DriverError);
  const number = all.find((x) => typeof x.number === 'number')?.number;
  const codes = all.map((x) => x.code ?? '').filter(Boolean);
  const text = all.map((x) => x.message ?? '').find((m) => m && !/^Failed to connect to/.test(m)) ?? all[0]?.message ?? String(e);
  const who = ctx.user ? ` as ${ctx.user}` : '';
  if (codes.includes('ECANCEL') || codes.includes('ABORT_ERR') || (e as Error)?.name === 'AbortError') {
    return new SourceError('cancelled', `Connecting to ${ctx.server} was cancelled.`);
  }
  // tedious reports login errors as ELOGIN with SQL Server's message but without its number.
  const loginNumber = number ?? (codes.includes('ELOGIN') ? (/untrusted domain/i.test(text) ? 18452 : /Login failed for user/i.test(text) ? 18456 : undefined) : undefined);
  if (codes.includes('ELOGIN') && /Cannot open database/i.test(text)) {
    return new SourceError('permission', `Logged in to ${ctx.server}${who}, but the database named in the connection cannot be opened (SQL Server error 4060): it does not exist or the login has no access. Connect to master instead.`, 4060);
  }
  if (loginNumber === 18456 && /token-identified principal/i.test(text)) {
    return new SourceError('login-failed', `${ctx.server} did not accept the Microsoft Entra access token (SQL Server error 18456). Get a fresh token for https://database.windows.net/ and make sure the principal has a login or user on the server.`, 18456);
  }
  if (loginNumber === 18456) {
    return new SourceError('login-failed',
      `Login to ${ctx.server}${who} failed (SQL Server error 18456). Check the user name and password; a SQL login also needs the server to allow SQL Server authentication (mixed mode) and the login to be enabled.`,
      18456);
  }
  if (loginNumber === 18452) {
    return new SourceError('login-failed',
      `Windows authentication to ${ctx.server}${who} was refused (SQL Server error 18452): the server does not trust the login's domain. Use DOMAIN\\user of a domain the server trusts, or a SQL login.`,
      18452);
  }
  if (number === 4060) {
    return new SourceError('permission', `Logged in to ${ctx.server}${who}, but the database named in the connection cannot be opened (SQL Server error 4060): it does not exist or the login has no access. Connect to master instead.`, 4060);
  }
  if (codes.includes('EFEDAUTH') || /Active Directory|security token/i.test(text)) {
    return new SourceError('login-failed', `${ctx.server} did not accept the Microsoft Entra access token: ${text} Get a fresh token for https://database.windows.net/ and make sure the principal has a login on the server.`);
  }
  if (codes.includes('EENCRYPT') || /requires encryption/i.test(text)) {
    return new SourceError('tls', `${ctx.server} requires an encrypted connection. Turn encryption on (encrypt: mandatory or strict).`);
  }
  if (codes.some((c) => TLS_CODES.test(c)) || /certificate|SSL routines|TLS/i.test(text)) {
    const untrusted = /self.signed|unable to (get|verify)|certificate chain|not trusted/i.test(text);
    const advice = untrusted
      ? 'The server\'s certificate is not signed by an authority this machine trusts. Install the issuing CA, pass the certificate to trust, or, only if you accept the risk, set trustServerCertificate.'
      : /altname|does not match|Hostname/i.test(text)
        ? 'The certificate was issued for another name: connect with the name in the certificate, or set hostNameInCertificate.'
        : ctx.encrypt === 'strict'
          ? 'Strict encryption (TDS 8.0) needs SQL Server 2022 or later; use encrypt: mandatory with older servers.'
          : 'Check the server\'s TLS configuration (protocols and certificate).';
    return new SourceError('tls', `The TLS handshake with ${ctx.server} failed: ${text}. ${advice}`);
  }
  if (codes.includes('EINSTLOOKUP')) {
    return new SourceError('unreachable', `Cannot find the named instance on ${ctx.server}: ${text}. Make sure the SQL Server Browser service runs and UDP 1434 is open, or give the port as HOST,PORT.`);
  }
  if (codes.includes('ETIMEOUT') && /connect|login/i.test(text) || codes.some((c) => NET_CODES.has(c)) || codes.includes('ESOCKET')) {
    const refused = codes.includes('ECONNREFUSED');
    const notFound = codes.includes('ENOTFOUND') || codes.includes('EAI_AGAIN');
    const timedOut = codes.includes('ETIMEOUT') || codes.includes('ETIMEDOUT');
    const why = refused
      ? 'nothing accepts connections on that port'
      : notFound
        ? 'the host name does not resolve'
        : timedOut
          ? `no answer within ${Math.round((ctx.connectTimeoutMs ?? 15000) / 1000)} s`
          : text;
    return new SourceError('unreachable',
      `Cannot reach ${ctx.server}: ${why}. Check the host name and port, that SQL Server accepts TCP connections (SQL Server Configuration Manager), and that no firewall blocks the port.`);
  }
  if (number !== undefined && PERMISSION_NUMBERS.has(number)) return queryError(e, ctx);
  return new SourceError('sql', `Connecting to ${ctx.server} failed: ${text}`, number);
}

/** Turns a failed query into a SourceError. */
export function queryError(e: unknown, ctx: ErrorContext): SourceError {
  if (e instanceof SourceError) return e;
  const all = chain(e as DriverError);
  const number = all.find((x) => typeof x.number === 'number')?.number;
  const codes = all.map((x) => x.code ?? '');
  const text = all.map((x) => x.message ?? '').find(Boolean) ?? String(e);
  const what = ctx.queryId ? `query ${ctx.queryId}` : 'a query';
  if (codes.includes('ECANCEL') || (e as Error)?.name === 'AbortError') {
    return new SourceError('cancelled', `Cancelled ${what} on ${ctx.server}.`, undefined, ctx.queryId);
  }
  if (codes.includes('ETIMEOUT')) {
    return new SourceError('timeout', `${what} on ${ctx.server} did not finish within ${Math.round((ctx.queryTimeoutMs ?? 0) / 1000)} s; the server may be busy. Try again later or raise the query timeout.`, undefined, ctx.queryId);
  }
  if (number !== undefined && PERMISSION_NUMBERS.has(number)) {
    return new SourceError('permission',
      `${ctx.user ?? 'The login'} may not run ${what} on ${ctx.server}: ${text} (SQL Server error ${number}). Assessment needs VIEW SERVER STATE, VIEW ANY DEFINITION, access to every assessed database and SELECT on msdb's job and backup tables; membership in sysadmin covers all of them.`,
      number, ctx.queryId);
  }
  if (codes.includes('ESOCKET') || codes.includes('ECONNCLOSED') || codes.includes('ENOTOPEN')) {
    return new SourceError('unreachable', `The connection to ${ctx.server} broke during ${what}: ${text}. Check the network and run again.`, undefined, ctx.queryId);
  }
  return new SourceError('sql', `${what} failed on ${ctx.server}: ${text}${number !== undefined ? ` (SQL Server error ${number})` : ''}`, number, ctx.queryId);
}
