/**
 * Secret redaction for everything the extension writes to its log or shows in an error: the
 * exact values it has been handed (passwords, keys, tokens), also as they appear escaped inside
 * JSON (and JSON in JSON) (the core's masking, src/core/redact.ts), and anything shaped like a
 * secret (connection-string keys, SAS signatures, bearer tokens, JWTs, integration-runtime keys).
 */
import { MASK, maskWith, QUOTE, secretPatterns, type SecretPattern } from '../core/redact';

/**
 * key=value / key: value pairs whose value is a secret (connection strings, SAS, JSON bodies,
 * JSON escaped inside JSON). The value ends at a delimiter or at a quote, escaped or not.
 */
const KEYED = new RegExp(
  String.raw`\b(password|pwd|accountkey|sharedaccesssignature|sig|accesstoken|access_token|refresh_token|client_secret|secret|authkey[12]?|storagecontainersastoken|sastoken|apikey|api_key)((?:${QUOTE})?\s*[:=]\s*(?:${QUOTE})?)((?:[^"'&;,\s}\\]|\\(?!\\*["']))+)`,
  'gi',
);
const BEARER = /\b(bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi;
/** A JSON Web Token: three base64url parts, the first two starting with a JSON brace. */
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
/** Self-hosted integration runtime auth keys: IR@<guid>@<service>@<region>@<key>. */
const IR_KEY = /\bIR@[0-9a-f-]{36}@[^\s"'\\]+/gi;

export class Redactor {
  private readonly values = new Set<string>();
  /** Rebuilt on add, longest secret first so one that contains another is masked whole. */
  private patterns: SecretPattern[] = [];

  /** Remembers a secret value (any length) so it is masked wherever it appears later. */
  add(value: string | undefined): void {
    if (!value || this.values.has(value)) return;
    this.values.add(value);
    this.patterns = secretPatterns(this.values);
  }

  redact(text: string): string {
    return maskWith(text, this.patterns)
      .replace(KEYED, (_m, key: string, sep: string) => `${key}${sep}${MASK}`)
      .replace(BEARER, (_m, head: string) => `${head}${MASK}`)
      .replace(JWT, MASK)
      .replace(IR_KEY, `IR@${MASK}`);
  }
}
