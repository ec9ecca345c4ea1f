/**
 * The statements the sandbox managed instance understands, read strictly: a tokenizer for
 * T-SQL (bracketed and quoted names, N'' strings, 0x binaries, comments) and a grammar for each
 * statement form Microsoft documents that the product may send (CREATE LOGIN, ALTER LOGIN,
 * CREATE/ALTER SERVER ROLE, GRANT/DENY, ALTER USER ... WITH LOGIN, CREATE CREDENTIAL, EXEC of
 * the msdb and master procedures that create Agent jobs, operators, Database Mail and linked
 * servers, BEGIN/COMMIT TRANSACTION). Anything else, or anything extra, is a syntax error, so a
 * test sees exactly what the product sends. Written from the statements' documented syntax,
 * not from the product's builders.
 */
import { SqlError } from './server';

export type Token =
  | { kind: 'word'; value: string; upper: string }
  | { kind: 'name'; value: string } // [bracketed] or "quoted"
  | { kind: 'string'; value: string; unicode: boolean }
  | { kind: 'binary'; value: string } // upper-case hex without 0x
  | { kind: 'number'; value: number }
  | { kind: 'punct'; value: string };

const syntax = (near: string) => new SqlError(102, `Incorrect syntax near '${near}'.`, 15);

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw new SqlError(113, 'Missing end comment mark \'*/\'.', 15);
      i = end + 2;
    } else if (c === '[') {
      let v = '';
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw new SqlError(105, `Unclosed quotation mark after the character string '${v}'.`, 15);
        if (sql[j] === ']') {
          if (sql[j + 1] === ']') {
            v += ']';
            j += 2;
            continue;
          }
          break;
        }
        v += sql[j++];
      }
      out.push({ kind: 'name', value: v });
      i = j + 1;
    } else if (c === '"') {
      const end = sql.indexOf('"', i + 1);
      if (end < 0) throw new SqlError(105, 'Unclosed quotation mark.', 15);
      out.push({ kind: 'name', value: sql.slice(i + 1, end) });
      i = end + 1;
    } else if (c === "'" || ((c === 'N' || c === 'n') && sql[i + 1] === "'")) {
      const unicode = c !== "'";
      let j = i + (unicode ? 2 : 1);
      let v = '';
      for (;;) {
        if (j >= sql.length) throw new SqlError(105, `Unclosed quotation mark after the character string '${v}'.`, 15);
        if (sql[j] === "'") {
          if (sql[j + 1] === "'") {
            v += "'";
            j += 2;
            continue;
          }
          break;
        }
        v += sql[j++];
      }
      out.push({ kind: 'string', value: v, unicode });
      i = j + 1;
    } else if (/0x/i.test(sql.slice(i, i + 2))) {
      const m = /^0x([0-9a-f]*)/i.exec(sql.slice(i))!;
      out.push({ kind: 'binary', value: m[1]!.toUpperCase() });
      i += m[0].length;
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const m = /^-?[0-9]+/.exec(sql.slice(i))!;
      out.push({ kind: 'number', value: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_@#]/.test(c)) {
      const m = /^[A-Za-z_@#][A-Za-z0-9_@#$]*/.exec(sql.slice(i))!;
      out.push({ kind: 'word', value: m[0], upper: m[0].toUpperCase() });
      i += m[0].length;
    } else if (sql.startsWith('::', i)) {
      out.push({ kind: 'punct', value: '::' });
      i += 2;
    } else if ('.,;=()'.includes(c)) {
      out.push({ kind: 'punct', value: c });
      i++;
    } else {
      throw syntax(c);
    }
  }
  return out;
}

export type ProcValue = string | number | null | { binary: string };

export type Statement =
  | { kind: 'begin-transaction' }
  | { kind: 'commit-transaction' }
  | { kind: 'set'; option: string; on: boolean }
  | { kind: 'create-login-sql'; name: string; passwordHash?: string; password?: string; options: Record<string, string | boolean> }
  | { kind: 'create-login-external'; name: string; objectId?: string }
  | { kind: 'create-login-windows'; name: string }
  | { kind: 'alter-login-state'; name: string; enabled: boolean }
  | { kind: 'alter-login-options'; name: string; options: Record<string, string> }
  | { kind: 'create-server-role'; name: string }
  | { kind: 'alter-server-role-add'; role: string; member: string }
  | { kind: 'permission'; state: 'GRANT' | 'DENY'; permissions: string[]; on?: { class: string; name: string }; grantee: string; withGrantOption: boolean }
  | { kind: 'alter-user-login'; user: string; login: string }
  | { kind: 'create-credential'; name: string; identity: string; secret?: string }
  | { kind: 'exec'; procedure: string; params: Map<string, ProcValue> };

class Reader {
  i = 0;
  constructor(readonly tokens: Token[]) {}
  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
  near(): string {
    const t = this.peek();
    if (!t) return 'end of batch';
    return t.kind === 'word' || t.kind === 'punct' || t.kind === 'name' ? String(t.value) : t.kind === 'binary' ? `0x${t.value}` : String(t.value);
  }
  next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw syntax('end of batch');
    return t;
  }
  isWord(...words: string[]): boolean {
    const t = this.peek();
    return t?.kind === 'word' && words.includes(t.upper);
  }
  word(...words: string[]): string {
    const t = this.peek();
    if (t?.kind !== 'word' || (words.length && !words.includes(t.upper))) throw syntax(this.near());
    this.i++;
    return t.upper;
  }
  isPunct(p: string): boolean {
    const t = this.peek();
    return t?.kind === 'punct' && t.value === p;
  }
  punct(p: string): void {
    if (!this.isPunct(p)) throw syntax(this.near());
    this.i++;
  }
  /** A name: [bracketed], "quoted" or a plain identifier that is not a keyword of the statement. */
  name(): string {
    const t = this.peek();
    if (t?.kind === 'name') {
      this.i++;
      return t.value;
    }
    if (t?.kind === 'word' && !t.value.startsWith('@')) {
      this.i++;
      return t.value;
    }
    throw syntax(this.near());
  }
  string(): string {
    const t = this.next();
    if (t.kind !== 'string') throw syntax(String(t.kind === 'binary' ? `0x${t.value}` : t.value));
    return t.value;
  }
}

const SERVER_PERMISSION_WORDS = new Set([
  'ADMINISTER', 'BULK', 'OPERATIONS', 'ALTER', 'ANY', 'AVAILABILITY', 'GROUP', 'CONNECTION', 'CREDENTIAL', 'DATABASE', 'ENDPOINT', 'EVENT',
  'NOTIFICATION', 'SESSION', 'LINKED', 'SERVER', 'LOGIN', 'ROLE', 'RESOURCES', 'STATE', 'SETTINGS', 'TRACE', 'AUTHENTICATE', 'CONNECT', 'SQL',
  'CONTROL', 'CREATE', 'DDL', 'EXTERNAL', 'ACCESS', 'ASSEMBLY', 'IMPERSONATE', 'SECURABLES', 'USER', 'SELECT', 'ALL', 'USER', 'SHUTDOWN',
  'UNSAFE', 'VIEW', 'DEFINITION', 'PERFORMANCE', 'SECURITY', 'AUDIT', 'CRYPTOGRAPHIC', 'KEY', 'ERRORLOG', 'TAKE', 'OWNERSHIP', 'SENSITIVITY',
  'CLASSIFICATION', 'LEDGER', 'CONTENT',
]);

function permissionStatement(r: Reader, state: 'GRANT' | 'DENY'): Statement {
  const permissions: string[] = [];
  for (;;) {
    const words: string[] = [];
    while (r.isWord(...SERVER_PERMISSION_WORDS) && !r.isWord('TO')) words.push(r.word());
    if (!words.length) throw syntax(r.near());
    permissions.push(words.join(' '));
    if (!r.isPunct(',')) break;
    r.punct(',');
  }
  let on: { class: string; name: string } | undefined;
  if (r.isWord('ON')) {
    r.word('ON');
    const cls = r.word('LOGIN', 'SERVER', 'ENDPOINT');
    r.punct('::');
    on = { class: cls, name: r.name() };
  }
  r.word('TO');
  const grantee = r.name();
  let withGrantOption = false;
  if (state === 'GRANT' && r.isWord('WITH')) {
    r.word('WITH');
    r.word('GRANT');
    r.word('OPTION');
    withGrantOption = true;
  }
  return { kind: 'permission', state, permissions, ...(on && { on }), grantee, withGrantOption };
}

function onOff(r: Reader): boolean {
  return r.word('ON', 'OFF') === 'ON';
}

function createLogin(r: Reader): Statement {
  const name = r.name();
  if (r.isWord('FROM')) {
    r.word('FROM');
    if (r.isWord('WINDOWS')) {
      r.word('WINDOWS');
      return { kind: 'create-login-windows', name };
    }
    r.word('EXTERNAL');
    r.word('PROVIDER');
    if (r.isWord('WITH')) {
      r.word('WITH');
      r.word('OBJECT_ID');
      r.punct('=');
      return { kind: 'create-login-external', name, objectId: r.string() };
    }
    return { kind: 'create-login-external', name };
  }
  r.word('WITH');
  r.word('PASSWORD');
  r.punct('=');
  const t = r.next();
  let passwordHash: string | undefined;
  let password: string | undefined;
  if (t.kind === 'binary') {
    r.word('HASHED');
    passwordHash = t.value;
  } else if (t.kind === 'string') password = t.value;
  else throw syntax(String(t.value));
  const options: Record<string, string | boolean> = {};
  if (r.isWord('MUST_CHANGE')) options.MUST_CHANGE = r.word() === 'MUST_CHANGE';
  while (r.isPunct(',')) {
    r.punct(',');
    const opt = r.word('SID', 'DEFAULT_DATABASE', 'DEFAULT_LANGUAGE', 'CHECK_POLICY', 'CHECK_EXPIRATION', 'CREDENTIAL');
    if (opt in options) throw new SqlError(15042, `The option '${opt}' was specified more than once.`, 16);
    r.punct('=');
    if (opt === 'SID') {
      const s = r.next();
      if (s.kind !== 'binary') throw syntax(String(s.value));
      options.SID = s.value;
    } else if (opt === 'CHECK_POLICY' || opt === 'CHECK_EXPIRATION') options[opt] = onOff(r);
    else options[opt] = r.name();
  }
  return { kind: 'create-login-sql', name, ...(passwordHash && { passwordHash }), ...(password !== undefined && { password }), options };
}

function alterLogin(r: Reader): Statement {
  const name = r.name();
  if (r.isWord('ENABLE', 'DISABLE')) return { kind: 'alter-login-state', name, enabled: r.word() === 'ENABLE' };
  r.word('WITH');
  const options: Record<string, string> = {};
  for (;;) {
    const opt = r.word('DEFAULT_DATABASE', 'DEFAULT_LANGUAGE');
    r.punct('=');
    options[opt] = r.name();
    if (!r.isPunct(',')) break;
    r.punct(',');
  }
  return { kind: 'alter-login-options', name, options };
}

function execStatement(r: Reader): Statement {
  const parts = [r.name()];
  while (r.isPunct('.')) {
    r.punct('.');
    parts.push(r.name());
  }
  const procedure = parts.join('.').toLowerCase();
  const params = new Map<string, ProcValue>();
  const value = (): ProcValue => {
    const t = r.next();
    if (t.kind === 'string') return t.value;
    if (t.kind === 'number') return t.value;
    if (t.kind === 'binary') return { binary: t.value };
    if (t.kind === 'word' && t.upper === 'NULL') return null;
    throw syntax(String(t.value));
  };
  if (r.peek()?.kind === 'word' && (r.peek() as { value: string }).value.startsWith('@')) {
    for (;;) {
      const p = r.next();
      if (p.kind !== 'word' || !p.value.startsWith('@')) throw syntax(String(p.value));
      r.punct('=');
      const key = p.value.slice(1).toLowerCase();
      if (params.has(key)) throw new SqlError(8143, `Parameter '${p.value}' was supplied multiple times.`, 16);
      params.set(key, value());
      if (!r.isPunct(',')) break;
      r.punct(',');
    }
  }
  return { kind: 'exec', procedure, params };
}

function statement(r: Reader): Statement {
  const first = r.word();
  switch (first) {
    case 'BEGIN':
      r.word('TRAN', 'TRANSACTION');
      return { kind: 'begin-transaction' };
    case 'COMMIT':
      if (r.isWord('TRAN', 'TRANSACTION')) r.word();
      return { kind: 'commit-transaction' };
    case 'SET': {
      const option = r.word('XACT_ABORT', 'NOCOUNT');
      return { kind: 'set', option, on: onOff(r) };
    }
    case 'CREATE': {
      const what = r.word('LOGIN', 'SERVER', 'CREDENTIAL');
      if (what === 'LOGIN') return createLogin(r);
      if (what === 'SERVER') {
        r.word('ROLE');
        return { kind: 'create-server-role', name: r.name() };
      }
      const name = r.name();
      r.word('WITH');
      r.word('IDENTITY');
      r.punct('=');
      const identity = r.string();
      let secret: string | undefined;
      if (r.isPunct(',')) {
        r.punct(',');
        r.word('SECRET');
        r.punct('=');
        secret = r.string();
      }
      return { kind: 'create-credential', name, identity, ...(secret !== undefined && { secret }) };
    }
    case 'ALTER': {
      const what = r.word('LOGIN', 'SERVER', 'USER');
      if (what === 'LOGIN') return alterLogin(r);
      if (what === 'SERVER') {
        r.word('ROLE');
        const role = r.name();
        r.word('ADD');
        r.word('MEMBER');
        return { kind: 'alter-server-role-add', role, member: r.name() };
      }
      const user = r.name();
      r.word('WITH');
      r.word('LOGIN');
      r.punct('=');
      return { kind: 'alter-user-login', user, login: r.name() };
    }
    case 'GRANT':
    case 'DENY':
      return permissionStatement(r, first);
    case 'EXEC':
    case 'EXECUTE':
      return execStatement(r);
    default:
      throw syntax(first);
  }
}

/** The statements of a batch, each ended by a semicolon or by the next statement's first keyword. */
export function parseBatch(sql: string): Statement[] {
  const r = new Reader(tokenize(sql));
  const out: Statement[] = [];
  while (!r.done()) {
    if (r.isPunct(';')) {
      r.punct(';');
      continue;
    }
    out.push(statement(r));
    if (!r.done() && !r.isPunct(';') && !r.isWord('BEGIN', 'COMMIT', 'SET', 'CREATE', 'ALTER', 'GRANT', 'DENY', 'EXEC', 'EXECUTE')) throw syntax(r.near());
  }
  return out;
}
