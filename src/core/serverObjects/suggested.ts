/**
 * What the assessment's findings say should move besides the databases, by rule id (never by
 * the findings' words, which are translated and reworded): a selected database encrypted with
 * TDE needs its certificate on the instance, Windows logins need Microsoft Entra logins, and
 * Agent job steps or linked servers mean server objects to script.
 */
export interface ServerObjectsSuggestion {
  tde: boolean;
  logins: boolean;
  objects: boolean;
}

const TDE_RULE = 'TransparentDataEncryption';
const LOGIN_RULES = new Set(['WindowsAuthentication']);
/** Agent job steps of every subsystem (their rules end in "Job"), linked servers, SQL Mail. */
const isObjectRule = (id: string) => /Job$/.test(id) || id === 'LinkedServerWithNonSQLProvider' || id === 'SqlMail';

/** `databaseRules`: the rule ids found in the selected databases; `instanceRules`: those found for the server. */
export function suggestServerObjects(databaseRules: Iterable<string>, instanceRules: Iterable<string>): ServerObjectsSuggestion {
  const db = new Set(databaseRules);
  const server = [...instanceRules];
  return { tde: db.has(TDE_RULE), logins: server.some((r) => LOGIN_RULES.has(r)), objects: server.some(isObjectRule) };
}
