/**
 * Windows principals become Microsoft Entra ones: Managed Instance has no Windows
 * authentication. A user DOMAIN\name becomes the user principal name name@<the domain's DNS
 * name>, from the mapping the user gives (CONTOSO -> contoso.com); a group DOMAIN\Group becomes
 * the Entra group of the same display name ("groups by name"). An explicit mapping of one login
 * wins. Names that cannot be an Entra user principal name are refused with the reason.
 */

export interface DomainMapping {
  /** NetBIOS domain (upper-cased) -> DNS domain, e.g. CONTOSO -> contoso.com. */
  domains: Map<string, string>;
  /** Whole-login overrides, e.g. CONTOSO\svc_payroll -> payroll-app@contoso.com (keys upper-cased). */
  logins: Map<string, string>;
}

export const emptyMapping = (): DomainMapping => ({ domains: new Map(), logins: new Map() });

/** Parses "CONTOSO=contoso.com" (a domain) or "CONTOSO\\user=upn@contoso.com" (one login). */
export function addMapping(m: DomainMapping, text: string): DomainMapping {
  const eq = text.indexOf('=');
  const left = eq < 0 ? '' : text.slice(0, eq).trim();
  const right = eq < 0 ? '' : text.slice(eq + 1).trim();
  if (!left || !right) throw new Error(`"${text}": write DOMAIN=dns.domain (CONTOSO=contoso.com) or DOMAIN\\login=name@dns.domain`);
  if (left.includes('\\')) m.logins.set(left.toUpperCase(), right);
  else {
    if (!/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(right)) throw new Error(`"${right}" is not a DNS domain name (e.g. contoso.com)`);
    m.domains.set(left.toUpperCase(), right.toLowerCase());
  }
  return m;
}

export type EntraName = { ok: true; name: string; kind: 'user' | 'group' } | { ok: false; reason: string };

/** The characters Microsoft Entra accepts in the part of a user principal name before the @. */
const UPN_LOCAL = /^[A-Za-z0-9'._!#^~-]+$/;

export function validUserPrincipalName(upn: string): string | undefined {
  const at = upn.lastIndexOf('@');
  if (at <= 0) return `"${upn}" has no @domain`;
  const local = upn.slice(0, at);
  const domain = upn.slice(at + 1);
  if (local.length > 64) return `"${local}" is longer than the 64 characters Microsoft Entra allows before the @`;
  if (local.endsWith('$')) return `"${local}" ends with $: a computer or managed service account, which has no Microsoft Entra user`;
  if (!UPN_LOCAL.test(local)) return `"${local}" has characters Microsoft Entra does not allow in a user principal name (letters, digits and ' . - _ ! # ^ ~ only)`;
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return `"${local}" starts or ends with a dot, or has two in a row`;
  if (!/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(domain)) return `"${domain}" is not a DNS domain name`;
  return undefined;
}

/** The Microsoft Entra login a Windows login or group becomes. */
export function entraNameFor(windowsName: string, kind: 'windows-user' | 'windows-group', m: DomainMapping): EntraName {
  const explicit = m.logins.get(windowsName.toUpperCase());
  const slash = windowsName.indexOf('\\');
  if (explicit) {
    if (kind === 'windows-user') {
      const bad = validUserPrincipalName(explicit);
      if (bad) return { ok: false, reason: `the mapping gives ${bad}` };
    }
    return { ok: true, name: explicit, kind: kind === 'windows-user' ? 'user' : 'group' };
  }
  if (slash <= 0) return { ok: false, reason: 'the name has no DOMAIN\\ part' };
  const domain = windowsName.slice(0, slash).toUpperCase();
  const account = windowsName.slice(slash + 1);
  if (kind === 'windows-group') {
    if (!account.trim()) return { ok: false, reason: 'the group name is empty' };
    if (!m.domains.has(domain)) return { ok: false, reason: `no mapping for domain ${domain}: map it to its Microsoft Entra domain (${domain}=<its DNS name>)` };
    return { ok: true, name: account, kind: 'group' };
  }
  const dns = m.domains.get(domain);
  if (!dns) return { ok: false, reason: `no mapping for domain ${domain}: map it to its Microsoft Entra domain (${domain}=<its DNS name>)` };
  const upn = `${account}@${dns}`;
  const bad = validUserPrincipalName(upn);
  return bad ? { ok: false, reason: `not valid as a Microsoft Entra login: ${bad}` } : { ok: true, name: upn, kind: 'user' };
}
