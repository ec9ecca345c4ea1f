/**
 * Applying a login plan to the target, login by login: the login itself in one transaction
 * (created whole or not at all), then each role membership and permission on its own. The
 * result says for every login: created, skipped (why), excluded (why) or failed (the server's
 * message), and for each statement that followed whether it took.
 */
import type { QueryOptions, SourceConnection } from '../../source/connection';
import { SourceError } from '../../source/errors';
import type { LoginPlan, PlannedStatement } from './plan';

export interface StatementResult {
  what: string;
  ok: boolean;
  message?: string;
}

export interface LoginResult {
  source: string;
  target?: string;
  status: 'created' | 'skipped' | 'excluded' | 'failed';
  reason?: string;
  /** The server's message when it failed. */
  message?: string;
  notes: string[];
  then: StatementResult[];
}

export interface LoginApplyResult {
  roles: { name: string; status: 'created' | 'exists' | 'failed'; message?: string; then: StatementResult[] }[];
  logins: LoginResult[];
}

/** Sends one statement (a batch without an id comment: DDL), turning a failure into its message. */
async function run(conn: SourceConnection, s: PlannedStatement, options: QueryOptions): Promise<StatementResult> {
  try {
    await conn.query({ id: 'ddl', text: s.sql }, options);
    return { what: s.what, ok: true };
  } catch (e) {
    if (e instanceof SourceError && (e.kind === 'cancelled' || e.kind === 'unreachable')) throw e;
    return { what: s.what, ok: false, message: serverMessage(e) };
  }
}

/** SQL Server's own words, without the wrapper text the error classes add. */
export function serverMessage(e: unknown): string {
  const m = (e as Error)?.message ?? String(e);
  return m.replace(/^query ddl failed on [^:]+: /, '');
}

export async function applyLoginPlan(conn: SourceConnection, plan: LoginPlan, options: QueryOptions & { onResult?: (r: LoginResult) => void } = {}): Promise<LoginApplyResult> {
  const result: LoginApplyResult = { roles: [], logins: [] };
  const roleStatus = new Map<string, LoginApplyResult['roles'][number]>();
  for (const r of plan.roles) {
    const entry: LoginApplyResult['roles'][number] = { name: r.name, status: 'exists', then: [] };
    if (r.create) {
      const done = await run(conn, r.create, options);
      entry.status = done.ok ? 'created' : 'failed';
      if (!done.ok) entry.message = done.message!;
    }
    roleStatus.set(r.name, entry);
    result.roles.push(entry);
  }
  for (const l of plan.logins) {
    options.signal?.throwIfAborted();
    let r: LoginResult;
    if (l.action === 'exclude') r = { source: l.source, status: 'excluded', reason: l.reason, notes: [], then: [] };
    else if (l.action === 'skip') {
      r = { source: l.source, ...(l.target && { target: l.target }), status: 'skipped', reason: l.reason, notes: [], then: [] };
      for (const s of l.then) r.then.push(await run(conn, s, options));
    } else {
      const created = await run(conn, l.create, options);
      r = created.ok
        ? { source: l.source, target: l.target, status: 'created', notes: l.notes, then: [] }
        : { source: l.source, target: l.target, status: 'failed', message: created.message!, notes: l.notes, then: [] };
      if (created.ok) for (const s of l.then) r.then.push(await run(conn, s, options));
    }
    result.logins.push(r);
    options.onResult?.(r);
  }
  for (const r of plan.roles) {
    const entry = roleStatus.get(r.name)!;
    if (entry.status === 'failed') continue;
    for (const s of r.then) entry.then.push(await run(conn, s, options));
  }
  return result;
}
