/**
 * Masking known secret values (passwords, keys, tokens) in text, wherever they appear: as they
 * are, and escaped inside a JSON string (once, or twice for JSON in JSON). A secret of 1 to 3
 * characters is masked only where it stands as a whole value (after "=" or ":", or between
 * quotes, escaped or not), so a password "a" leaves "a backup" alone. One definition for the
 * core's error texts and the extension's log.
 */
export const MASK = '***';

/** A quote as text shows it: plain, or escaped once or more (\", \\\", ...). */
export const QUOTE = String.raw`\\*["']`;

/** Secrets shorter than this are masked only as whole values. */
const SHORT = 4;

/** A secret as it appears in text: escaped twice, escaped once, as is (longest first). */
export function secretForms(secret: string): string[] {
  const once = JSON.stringify(secret).slice(1, -1);
  const twice = JSON.stringify(once).slice(1, -1);
  return [...new Set([twice, once, secret])];
}

const regexpEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function wholeValue(form: string): RegExp {
  return new RegExp(String.raw`(?<=[=:]|${QUOTE})${regexpEscape(form)}(?=$|[\s;,&)}\]]|${QUOTE})`, 'g');
}

/** One replacement: a long secret's form everywhere, or a short one's as a whole value. */
export type SecretPattern = { text: string } | { re: RegExp };

/** The patterns for a set of secrets, longest secret first so one that contains another is masked whole. */
export function secretPatterns(secrets: Iterable<string>): SecretPattern[] {
  return [...new Set(secrets)]
    .filter(Boolean)
    .sort((a, b) => b.length - a.length)
    .flatMap((s) => secretForms(s).map((f): SecretPattern => (s.length >= SHORT ? { text: f } : { re: wholeValue(f) })));
}

export function maskWith(text: string, patterns: readonly SecretPattern[]): string {
  let out = text;
  for (const p of patterns) out = 'text' in p ? out.split(p.text).join(MASK) : out.replace(p.re, MASK);
  return out;
}

/** Replaces each secret found in text with "***". */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  return maskWith(text, secretPatterns(secrets));
}
