/**
 * Module and job-step text as rules need it: `LIKE` on the server only finds candidates, so each
 * candidate is confirmed here on the code alone. Comments become spaces and each string literal
 * becomes a numbered placeholder (§0§, §1§...), so a keyword inside a comment or a string never
 * counts, while rules that care about a literal (a provider name, a file path) can still read it.
 */

export interface CodeText {
  /** The text with comments blanked and literals replaced by §n§. */
  code: string;
  /** The literals' contents, in order, with doubled quotes undone. */
  literals: string[];
}

export function splitCode(text: string): CodeText {
  let code = '';
  const literals: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
      code += ' ';
    } else if (c === '/' && next === '*') {
      // T-SQL block comments nest.
      let depth = 1;
      i += 2;
      while (i < text.length && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') (depth++, (i += 2));
        else if (text[i] === '*' && text[i + 1] === '/') (depth--, (i += 2));
        else i++;
      }
      code += ' ';
    } else if (c === "'") {
      let value = '';
      i++;
      while (i < text.length) {
        if (text[i] === "'" && text[i + 1] === "'") (value += "'", (i += 2));
        else if (text[i] === "'") {
          i++;
          break;
        } else value += text[i++];
      }
      code += `§${literals.length}§`;
      literals.push(value);
    } else if (c === '[') {
      // A bracketed identifier may hold anything, even quotes; keep it as it is.
      const end = text.indexOf(']', i);
      const stop = end < 0 ? text.length : end + 1;
      code += text.slice(i, stop);
      i = stop;
    } else {
      code += c;
      i++;
    }
  }
  return { code, literals };
}

/** The literal a placeholder such as "§3§" (or N§3§) stands for. */
export function literalAt(text: CodeText, placeholder: string): string | undefined {
  const m = /§(\d+)§/.exec(placeholder);
  return m ? text.literals[Number(m[1])] : undefined;
}

/** The (1-based) line of an offset in the original text, for "line 12" in findings. */
export function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}

/**
 * SQL Server's LIKE for the patterns our probes send: % any run, _ one character, [..] a set
 * (with ^ for not), case-insensitive as the default collations are. The sandbox server uses it to
 * answer LIKE the way SQL Server would; tests use it to check candidate patterns.
 */
export function sqlLike(text: string, pattern: string): boolean {
  let re = likeCache.get(pattern);
  if (!re) {
    re = likeToRegExp(pattern);
    likeCache.set(pattern, re);
  }
  return re.test(text);
}

const likeCache = new Map<string, RegExp>();

function likeToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        let set = pattern.slice(i + 1, end);
        const negate = set.startsWith('^');
        if (negate) set = set.slice(1);
        re += `[${negate ? '^' : ''}${set.replace(/[\\\]]/g, '\\$&')}]`;
        i = end;
      }
    } else re += c.replace(/[.*+?^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}
