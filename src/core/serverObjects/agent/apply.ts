/**
 * Applying a server-objects script (as generated, after the user's review) to the target,
 * object by object: each `-- sqlmig:object KIND "NAME"` batch is sent on its own, in its
 * transaction. An object that already exists on the target is skipped (nothing is dropped or
 * changed), one that still holds a <FILL IN: ...> placeholder is refused before anything is
 * sent, and a failure carries the server's message.
 */
import type { QueryOptions, SourceConnection } from '../../source/connection';
import { maskSecrets } from '../../redact';
import { SourceError } from '../../source/errors';
import { serverMessage } from '../logins/apply';
import { readTargetObjects, type ServerObjectKind } from '../targetCatalog';
import { PLACEHOLDER_PREFIX, type ScriptKind } from './script';

export interface ScriptObject {
  kind: ScriptKind;
  name: string;
  sql: string;
}

export class ScriptFormatError extends Error {
  override readonly name = 'ScriptFormatError';
}

const KINDS: ScriptKind[] = ['mail-account', 'mail-profile', 'operator', 'credential', 'linked-server', 'job'];

/**
 * Splits a script at lines that hold only GO, outside string literals, bracketed names and
 * comments (a job step's command may itself contain a GO line inside its N'...').
 */
export function splitBatches(text: string): string[] {
  const batches: string[] = [];
  let start = 0;
  let i = 0;
  let lineStart = true;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (lineStart) {
      const m = /^[ \t]*GO[ \t]*(\r?\n|$)/i.exec(text.slice(i, i + 64));
      if (m) {
        batches.push(text.slice(start, i));
        i += m[0].length;
        start = i;
        continue;
      }
    }
    lineStart = false;
    if (c === '\n') {
      lineStart = true;
      i++;
    } else if (c === "'") {
      i++;
      while (i < n && !(text[i] === "'" && text[i + 1] !== "'")) i += text[i] === "'" ? 2 : 1;
      i++;
    } else if (c === '[') {
      i++;
      while (i < n && !(text[i] === ']' && text[i + 1] !== ']')) i += text[i] === ']' ? 2 : 1;
      i++;
    } else if (c === '-' && text[i + 1] === '-') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else i++;
  }
  batches.push(text.slice(start));
  return batches.filter((b) => b.trim());
}

/** The objects of a script, by their header lines; batches without one (the preface) are not objects. */
export function parseScript(text: string): ScriptObject[] {
  const out: ScriptObject[] = [];
  for (const batch of splitBatches(text)) {
    const header = /^--\s*sqlmig:object\s+([a-z-]+)\s+("(?:[^"\\]|\\.)*")\s*$/m.exec(batch);
    if (!header) {
      if (batch.split('\n').some((l) => l.trim() && !l.trim().startsWith('--'))) {
        throw new ScriptFormatError(`a batch has statements but no "-- sqlmig:object KIND \\"NAME\\"" line: ${batch.trim().slice(0, 80)}`);
      }
      continue;
    }
    const kind = header[1] as ScriptKind;
    if (!KINDS.includes(kind)) throw new ScriptFormatError(`unknown object kind "${header[1]}" (one of ${KINDS.join(', ')})`);
    let name: string;
    try {
      name = JSON.parse(header[2]!) as string;
    } catch {
      throw new ScriptFormatError(`the object name ${header[2]} is not a quoted string`);
    }
    const sql = batch.split('\n').filter((l) => !/^\s*--/.test(l)).join('\n').trim();
    out.push({ kind, name, sql });
  }
  return out;
}

/** The secrets a filled-in object carries (passwords, shared access signatures), to keep them out of messages. */
export function secretsIn(sql: string): string[] {
  const out: string[] = [];
  for (const m of sql.matchAll(/(?:@password|@rmtpassword|\bSECRET)\s*=\s*N?'((?:[^']|'')*)'/gi)) if (m[1]) out.push(m[1].replace(/''/g, "'"));
  return out;
}

export interface ObjectResult {
  kind: ScriptKind;
  name: string;
  status: 'created' | 'skipped' | 'refused' | 'failed' | 'would-create';
  reason?: string;
  message?: string;
}

export async function applyScript(
  conn: SourceConnection,
  objects: ScriptObject[],
  options: QueryOptions & { only?: { kind?: ScriptKind; names?: string[] }; dryRun?: boolean; onResult?: (r: ObjectResult) => void } = {},
): Promise<ObjectResult[]> {
  const existing = await readTargetObjects(conn, options);
  const results: ObjectResult[] = [];
  for (const o of objects) {
    options.signal?.throwIfAborted();
    if (options.only?.kind && options.only.kind !== o.kind) continue;
    if (options.only?.names?.length && !options.only.names.some((n) => n.toLowerCase() === o.name.toLowerCase())) continue;
    let r: ObjectResult;
    if (existing.get(o.kind as ServerObjectKind)?.has(o.name.toLowerCase())) {
      r = { kind: o.kind, name: o.name, status: 'skipped', reason: `a ${o.kind} named ${o.name} already exists on the target (left as it is)` };
    } else if (o.sql.includes(PLACEHOLDER_PREFIX)) {
      r = { kind: o.kind, name: o.name, status: 'refused', reason: 'it still has a <FILL IN: ...> placeholder: put the secret in the script first' };
    } else if (options.dryRun) {
      r = { kind: o.kind, name: o.name, status: 'would-create' };
    } else {
      try {
        await conn.query({ id: 'ddl', text: o.sql }, options);
        r = { kind: o.kind, name: o.name, status: 'created' };
      } catch (e) {
        if (e instanceof SourceError && (e.kind === 'cancelled' || e.kind === 'unreachable')) throw e;
        r = { kind: o.kind, name: o.name, status: 'failed', message: maskSecrets(serverMessage(e), secretsIn(o.sql)) };
      }
    }
    results.push(r);
    options.onResult?.(r);
  }
  return results;
}
