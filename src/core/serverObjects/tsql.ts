/**
 * Writing T-SQL the product sends: names in brackets (a ] doubled), Unicode string literals (a
 * quote doubled), binary literals. Every name and value the product puts in a statement goes
 * through one of these; nothing is concatenated raw.
 */

/** [name], with ] doubled: QUOTENAME's rule. Refuses names SQL Server cannot hold (over 128 characters, NUL). */
export function quoteName(name: string): string {
  if (name.length === 0 || name.length > 128 || name.includes('\0')) throw new Error(`"${name}" is not a valid SQL Server name`);
  return `[${name.replace(/]/g, ']]')}]`;
}

/** N'text', with ' doubled. */
export function nString(text: string): string {
  if (text.includes('\0')) throw new Error('a string with a NUL character cannot be sent');
  return `N'${text.replace(/'/g, "''")}'`;
}

/** A value for an EXEC parameter: a string, a number, NULL. */
export function sqlValue(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`${v} is not an integer`);
    return String(v);
  }
  return nString(v);
}

/** 0x-prefixed hex from SQL Server's CONVERT(..., 1) text or a Buffer, checked. */
export function binaryLiteral(value: string | Buffer): string {
  const hex = typeof value === 'string' ? value.trim().replace(/^0x/i, '') : value.toString('hex');
  if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new Error(`"${String(value)}" is not a binary value`);
  return `0x${hex.toUpperCase()}`;
}

/** `EXEC proc @a = v, @b = w` with every value quoted; undefined parameters are left out. */
export function execProc(procedure: string, params: Record<string, string | number | boolean | null | undefined>): string {
  const list = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `@${k} = ${sqlValue(v)}`);
  return `EXEC ${procedure}${list.length ? ` ${list.join(', ')}` : ''};`;
}

/** One batch that changes all or nothing: XACT_ABORT is on for product connections. */
export function inTransaction(statements: string[]): string {
  return ['BEGIN TRANSACTION;', ...statements, 'COMMIT TRANSACTION;'].join('\n');
}
