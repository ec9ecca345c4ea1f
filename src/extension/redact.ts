/**
 * Secret redaction for everything the extension writes to its log or shows in an error: the
 * exact values it has been handed (passwords, keys, tokens) and anything shaped like a secret
 * (connection-string keys, SAS signatures, bearer tokens, JWTs, integration-runtime keys).
 */

const MASK = '***';

/** key=value / key: value pairs whose value is a secret (connection strings, SAS, JSON bodies). */
const KEYED = /\b(password|pwd|accountkey|sharedaccesssignature|sig|accesstoken|access_token|refresh_token|client_secret|secret|authkey[12]?|storagecontainersastoken|sastoken|apikey|api_key)(["']?\s*[:=]\s*["']?)([^"'&;,\s}]+)/gi;
const BEARER = /\b(bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi;
/** A JSON Web Token: three base64url parts, the first two starting with a JSON brace. */
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
/** Self-hosted integration runtime auth keys: IR@<guid>@<service>@<region>@<key>. */
const IR_KEY = /\bIR@[0-9a-f-]{36}@[^\s"']+/gi;

export class Redactor {
  private readonly values = new Set<string>();

  /** Remembers a secret value so it is masked wherever it appears later. Short values are ignored (too many false hits). */
  add(value: string | undefined): void {
    if (value && value.length >= 4) this.values.add(value);
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is masked whole.
    for (const v of [...this.values].sort((a, b) => b.length - a.length)) out = out.split(v).join(MASK);
    return out
      .replace(KEYED, (_m, key: string, sep: string) => `${key}${sep}${MASK}`)
      .replace(BEARER, (_m, head: string) => `${head}${MASK}`)
      .replace(JWT, MASK)
      .replace(IR_KEY, `IR@${MASK}`);
  }
}
