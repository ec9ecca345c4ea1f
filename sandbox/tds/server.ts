/**
 * A TDS 7.4 server on loopback that stands in for the source SQL Server. It speaks to the real
 * tedious/mssql client: PRELOGIN (with TLS, or TDS 8.0 strict TLS), LOGIN7 with SQL logins or a
 * Microsoft Entra access token, SQL batches, sp_executesql RPCs and attention (cancel). Queries are
 * answered by an `Answerer`; the sandbox's answers come from a server profile (see answers.ts).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import {
  collationChange, colMetadata, DEFAULT_PACKET_SIZE, done, DONE_STATUS, doneProc, envChange, featureExtAckFedAuth,
  loginAck, MessageReader, messageToken, PACKET, packets, returnStatus, row, type CellValue, type ColumnSpec,
} from './protocol';
import { buildPrelogin, ENCRYPT, MalformedRequest, parseLogin7, parsePrelogin, parseRpc, parseSqlBatch, PRELOGIN_OPTION, type Login7, type ParamValue } from './requests';
import { generateCertificate, startPreloginTls, startStrictTls, type PreloginTls, type ServerCertificate } from './tls';

export interface ResultSet {
  columns: ColumnSpec[];
  rows: CellValue[][];
}

/** An error the server reports as SQL Server would: number, state, severity class, message. */
export class SqlError extends Error {
  constructor(
    readonly number: number,
    message: string,
    readonly severity = 16,
    readonly state = 1,
  ) {
    super(message);
  }
}

export interface SandboxLogin {
  user: string;
  password: string;
  /** Member of sysadmin (default true). */
  sysadmin?: boolean;
  /** Query ids this login may not run: they fail with a permission error (SQL Server error 229). */
  deny?: string[];
}

export interface QueryRequest {
  sql: string;
  /** sp_executesql parameters by name, without the @. */
  params: Map<string, ParamValue>;
  login: string;
  sysadmin: boolean;
  deny: readonly string[];
  /** The database the connection logged in to (master when the client named none). */
  database: string;
}

export type Answerer = (request: QueryRequest) => ResultSet[];

export interface TdsServerOptions {
  answer: Answerer;
  /** The name the server reports (@@SERVERNAME, error messages). */
  serverName: string;
  /** [major, minor, build] the server reports in LOGINACK. */
  version: [number, number, number];
  port?: number;
  host?: string;
  /** SQL logins; one login with a random password when absent. */
  logins?: SandboxLogin[];
  /** Microsoft Entra access tokens the server accepts. */
  accessTokens?: string[];
  /**
   * 'on' (default): encrypts when the client asks; 'required': refuses clients that do not
   * (as Force Encryption does); 'off': no certificate, encryption not supported.
   */
  tls?: 'on' | 'required' | 'off';
  /** Extra time before each answer, as a busy server takes; attention cuts it short. */
  latencyMs?: number;
  /** More host names the TLS certificate is for (besides localhost and the loopback addresses). */
  certificateNames?: string[];
}

export interface TdsServerStats {
  /** SQL batches and RPCs answered (the initial SET batch of each connection included). */
  requests: number;
  /** The ids of the product queries answered, in order. */
  queryIds: string[];
  /** Time from a request's arrival to its last byte written, summed. */
  busyMs: number;
  attentions: number;
  connections: number;
}

export interface RunningTdsServer {
  host: string;
  port: number;
  logins: SandboxLogin[];
  /** The server's self-signed certificate (PEM), absent when tls is 'off'. */
  certificate?: string;
  stats: TdsServerStats;
  stop(): Promise<void>;
}

/** The id comment every product query starts with: `/* sqlmig:server.databases *\/`. */
export function queryId(sql: string): string | undefined {
  return /\/\*\s*sqlmig:([A-Za-z0-9_.-]+)\s*\*\//.exec(sql)?.[1];
}

const SESSION_SETUP = /^\s*(set\s+[a-z_]+\s+(on|off|[0-9a-z_ -]+?)\s*)+$/i;
/** The liveness probe connection pools send (mssql validates pooled connections with it). */
const PING = /^\s*select\s+1\s*;?\s*$/i;

export async function startTdsServerWith(options: TdsServerOptions): Promise<RunningTdsServer> {
  const host = options.host ?? '127.0.0.1';
  const logins = options.logins ?? [{ user: 'sqlmig', password: randomBytes(12).toString('base64url') }];
  const tlsMode = options.tls ?? 'on';
  const certificate = tlsMode === 'off' ? undefined : await generateCertificate('localhost', options.certificateNames ?? []);
  const stats: TdsServerStats = { requests: 0, queryIds: [], busyMs: 0, attentions: 0, connections: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    stats.connections++;
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    serveConnection(socket, { ...options, logins, tlsMode, certificate, stats });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the TDS server has no TCP address');
  return {
    host,
    port: address.port,
    logins,
    ...(certificate && { certificate: certificate.cert }),
    stats,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

interface ConnectionContext extends TdsServerOptions {
  logins: SandboxLogin[];
  tlsMode: 'on' | 'required' | 'off';
  certificate: ServerCertificate | undefined;
  stats: TdsServerStats;
}

function serveConnection(socket: Socket, ctx: ConnectionContext): void {
  let packetSize = DEFAULT_PACKET_SIZE;
  /** Where TDS packets are written: the socket, or the cleartext side of TLS. */
  let write = (b: Buffer) => void socket.write(b);
  let state: 'prelogin' | 'handshake' | 'login' | 'ready' | 'closed' = 'prelogin';
  let session: PreloginTls | undefined;
  let rawRecords = false;
  let login: SandboxLogin | undefined;
  let database = 'master';
  let inFlight: { timer?: NodeJS.Timeout; cancelled: boolean } | undefined;

  const send = (type: number, payload: Buffer) => {
    for (const p of packets(type, payload, packetSize)) write(p);
  };
  const reply = (...tokens: Buffer[]) => send(PACKET.TABULAR_RESULT, Buffer.concat(tokens));
  const message = (number: number, text: string, severity: number, stateNo = 1) =>
    messageToken({ number, state: stateNo, class: severity, message: text, serverName: ctx.serverName });
  const close = () => {
    state = 'closed';
    setImmediate(() => socket.end());
  };

  const onMessage = (type: number, payload: Buffer) => {
    try {
      handle(type, payload);
    } catch (e) {
      // A message that breaks the protocol ends the connection, as SQL Server does, after saying why.
      const why = e instanceof MalformedRequest ? e.message : `internal error: ${(e as Error).message}`;
      reply(message(4002, `The incoming tabular data stream (TDS) protocol stream is incorrect. ${why}`, 20), done(DONE_STATUS.ERROR));
      close();
    }
  };
  let reader = new MessageReader(onMessage);

  socket.on('data', (chunk: Buffer) => {
    if (state === 'closed') return;
    if (state === 'prelogin' && !session && chunk[0] === 0x16) {
      // TDS 8.0: the client opens with a TLS ClientHello; TDS runs inside TLS from the start.
      if (!ctx.certificate) {
        socket.destroy();
        return;
      }
      session = startStrictTls(ctx.certificate, (records) => socket.write(records));
      useCleartext(session);
      rawRecords = true;
    }
    if (rawRecords) session!.receiveRecords(chunk);
    else {
      try {
        reader.push(chunk);
      } catch (e) {
        socket.destroy(e as Error);
      }
    }
  });

  function useCleartext(s: PreloginTls) {
    reader = new MessageReader(onMessage);
    s.cleartext.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (e) {
        socket.destroy(e as Error);
      }
    });
    s.cleartext.on('error', () => socket.destroy());
    write = (b) => void s.cleartext.write(b);
  }

  function handle(type: number, payload: Buffer) {
    if (state === 'prelogin' && type === PACKET.PRELOGIN) return onPrelogin(payload);
    if (state === 'handshake' && type === PACKET.PRELOGIN) return session!.receiveHandshake(payload);
    if (state === 'login' && type === PACKET.LOGIN7) return onLogin(parseLogin7(payload));
    if (state === 'ready') {
      if (type === PACKET.ATTENTION) return onAttention();
      if (type === PACKET.SQL_BATCH) return onQuery('batch', parseSqlBatch(payload), new Map());
      if (type === PACKET.RPC) {
        const rpc = parseRpc(payload);
        if (rpc.procedure.toLowerCase() !== 'sp_executesql') {
          return onError('rpc', new SqlError(2812, `Could not find stored procedure '${rpc.procedure}'.`));
        }
        const [statement, , ...rest] = rpc.params;
        if (typeof statement?.value !== 'string') throw new MalformedRequest('sp_executesql without a statement');
        return onQuery('rpc', statement.value, new Map(rest.map((p) => [p.name.replace(/^@/, ''), p.value])));
      }
      if (type === PACKET.TRANSACTION_MANAGER) return reply(done(DONE_STATUS.FINAL));
    }
    if (type === PACKET.ATTENTION) return; // nothing running before login
    throw new MalformedRequest(`unexpected message of type 0x${type.toString(16)} in state ${state}`);
  }

  function onPrelogin(payload: Buffer) {
    const options = parsePrelogin(payload);
    const asked = options.get(PRELOGIN_OPTION.ENCRYPTION)?.[0] ?? ENCRYPT.NOT_SUP;
    const wantsTls = asked === ENCRYPT.ON || asked === ENCRYPT.REQ;
    const inStrictTls = rawRecords;
    let answer: number;
    if (inStrictTls || !ctx.certificate) answer = ENCRYPT.NOT_SUP;
    else if (wantsTls) answer = ENCRYPT.ON;
    else answer = ctx.tlsMode === 'required' ? ENCRYPT.REQ : ENCRYPT.NOT_SUP;
    const version = Buffer.alloc(6);
    version[0] = ctx.version[0];
    version[1] = ctx.version[1];
    version.writeUInt16BE(ctx.version[2], 2);
    const response: [number, Buffer][] = [
      [PRELOGIN_OPTION.VERSION, version],
      [PRELOGIN_OPTION.ENCRYPTION, Buffer.from([answer])],
      [PRELOGIN_OPTION.INSTOPT, Buffer.from([0])],
      [PRELOGIN_OPTION.THREADID, Buffer.alloc(0)],
      [PRELOGIN_OPTION.MARS, Buffer.from([0])],
    ];
    if (options.has(PRELOGIN_OPTION.FEDAUTHREQUIRED)) response.push([PRELOGIN_OPTION.FEDAUTHREQUIRED, Buffer.from([1])]);
    reply(buildPrelogin(response));
    if (answer === ENCRYPT.REQ) return close(); // the client cannot go on without encryption
    if (answer === ENCRYPT.ON) {
      state = 'handshake';
      session = startPreloginTls(ctx.certificate!, {
        sendFlight: (records) => {
          for (const p of packets(PACKET.PRELOGIN, records, packetSize)) socket.write(p);
        },
        writeRecords: (records) => socket.write(records),
        onHandshakeSent: () => {
          rawRecords = true;
          useCleartext(session!);
          state = 'login';
        },
      });
    } else state = 'login';
  }

  function onLogin(l: Login7) {
    if (l.packetSize >= 512 && l.packetSize <= 32767) packetSize = l.packetSize;
    const fail = (user: string, why = '') => {
      reply(message(18456, `Login failed for user '${user}'.${why}`, 14, 1), done(DONE_STATUS.ERROR));
      close();
    };
    let user: string;
    if (l.accessToken !== undefined) {
      if (!ctx.accessTokens?.includes(l.accessToken)) return fail('<token-identified principal>');
      user = 'entra-user';
      login = { user, password: '' };
    } else if (l.sspi) {
      // Integrated authentication needs a domain; the sandbox has none.
      reply(message(18452, 'Login failed. The login is from an untrusted domain and cannot be used with Integrated authentication.', 14), done(DONE_STATUS.ERROR));
      return close();
    } else {
      const match = ctx.logins.find((x) => x.user.toLowerCase() === l.userName.toLowerCase());
      if (!match || match.password !== l.password) return fail(l.userName);
      login = match;
      user = match.user;
    }
    database = l.database || 'master';
    reply(
      envChange(1, database, 'master'),
      message(5701, `Changed database context to '${database}'.`, 0, 2),
      collationChange(),
      envChange(2, 'us_english', ''),
      message(5703, 'Changed language setting to us_english.', 0, 1),
      loginAck('Microsoft SQL Server', ctx.version),
      envChange(4, String(packetSize), String(DEFAULT_PACKET_SIZE)),
      ...(l.accessToken !== undefined ? [featureExtAckFedAuth()] : []),
      done(DONE_STATUS.FINAL),
    );
    state = 'ready';
  }

  function onAttention() {
    ctx.stats.attentions++;
    if (inFlight) {
      // The interrupted request still gets its (empty) response message; the acknowledgement
      // follows as a message of its own, which is what clients wait for after an attention.
      inFlight.cancelled = true;
      clearTimeout(inFlight.timer);
      inFlight = undefined;
      reply(done(DONE_STATUS.FINAL));
    }
    reply(done(DONE_STATUS.ATTN));
  }

  function onError(kind: 'batch' | 'rpc', e: SqlError) {
    const err = message(e.number, e.message, e.severity, e.state);
    if (kind === 'rpc') reply(err, returnStatus(-6), doneProc(DONE_STATUS.ERROR));
    else reply(err, done(DONE_STATUS.ERROR));
  }

  function onQuery(kind: 'batch' | 'rpc', sql: string, params: Map<string, ParamValue>) {
    const started = performance.now();
    ctx.stats.requests++;
    if (kind === 'batch' && SESSION_SETUP.test(sql)) {
      reply(done(DONE_STATUS.FINAL));
      ctx.stats.busyMs += performance.now() - started;
      return;
    }
    const running = { cancelled: false } as { timer?: NodeJS.Timeout; cancelled: boolean };
    inFlight = running;
    const respond = () => {
      if (running.cancelled) return;
      inFlight = undefined;
      const id = queryId(sql);
      if (id) ctx.stats.queryIds.push(id);
      let sets: ResultSet[];
      try {
        sets = PING.test(sql)
          ? [{ columns: [{ name: '', type: 'int' }], rows: [[1]] }]
          : ctx.answer({ sql, params, login: login!.user, sysadmin: login!.sysadmin ?? true, deny: login!.deny ?? [], database });
      } catch (e) {
        if (!(e instanceof SqlError)) throw e;
        onError(kind, e);
        ctx.stats.busyMs += performance.now() - started;
        return;
      }
      const tokens: Buffer[] = [];
      const inProc = kind === 'rpc' ? 0xff : 0xfd;
      sets.forEach((set, i) => {
        tokens.push(colMetadata(set.columns));
        for (const r of set.rows) tokens.push(row(set.columns, r));
        const more = kind === 'rpc' || i < sets.length - 1 ? DONE_STATUS.MORE : 0;
        tokens.push(done(DONE_STATUS.COUNT | more, set.rows.length, inProc));
      });
      if (kind === 'rpc') tokens.push(returnStatus(0), doneProc(DONE_STATUS.FINAL));
      else if (sets.length === 0) tokens.push(done(DONE_STATUS.FINAL));
      reply(...tokens);
      ctx.stats.busyMs += performance.now() - started;
    };
    if (ctx.latencyMs) running.timer = setTimeout(() => {
      try {
        respond();
      } catch (e) {
        onMessageError(e as Error);
      }
    }, ctx.latencyMs);
    else respond();
  }

  function onMessageError(e: Error) {
    reply(message(50000, `internal error in the sandbox server: ${e.message}`, 16), done(DONE_STATUS.ERROR));
  }
}
