/**
 * The source connection's fields as every way of filling them shares them: typed, taken from a
 * saved connection or from a discovered server. Another server or login makes the databases,
 * their assessment and the password belong to the old one; a remembered password for the new
 * one comes back from the secret storage.
 */
import type { SourcePatch, WizardState } from '../../../protocol/wizard';
import type { StepContext } from '../context';
import { NO_ASSESSMENT } from '../state';

export function sourcePasswordKey(server: string, userName: string): string {
  return `sqlMigration.source/${server.trim().toLowerCase()}/${userName.trim().toLowerCase()}`;
}

type RecallCtx = StepContext<{ type: 'source.passwordRecalled' }>;

/** A password the user asked to remember, for the current server and login. */
export async function recallPassword(ctx: RecallCtx): Promise<void> {
  const s = ctx.state.source;
  if (s.authentication !== 'SqlAuthentication' || !s.server || !s.userName) return;
  try {
    const value = await ctx.deps.secretStore.get(sourcePasswordKey(s.server, s.userName));
    if (!value) return;
    ctx.deps.redactor.add(value);
    ctx.session.secrets.sqlPassword = value;
    ctx.dispatch({ type: 'source.passwordRecalled' });
  } catch (e) {
    // Not worth an error on the step: the user can type the password.
    ctx.deps.log.warn(`wizard: could not read the secret storage: ${(e as Error).message}`);
  }
}

/** After the fields changed: the session forgets a password the state no longer says is entered, and a remembered one comes back. */
export async function afterFieldsChanged(ctx: RecallCtx): Promise<void> {
  if (ctx.state.source.passwordEntered) return;
  delete ctx.session.secrets.sqlPassword;
  await recallPassword(ctx);
}

/** The state with the fields patched; another server, login or authentication starts the source over (and forgets which saved connection it was). */
export function withSourcePatch(s: WizardState, p: SourcePatch): WizardState {
  const identityChanged = (p.server !== undefined && p.server !== s.source.server) ||
    (p.userName !== undefined && p.userName !== s.source.userName) ||
    (p.authentication !== undefined && p.authentication !== s.source.authentication);
  const source = { ...s.source, ...p };
  if (!identityChanged) return { ...s, source };
  const { selectionNote: _note, ...rest } = source;
  const saved = rest.saved && { ...rest.saved, chosen: undefined, offered: undefined };
  return { ...s, source: { ...rest, ...(saved && { saved }), connected: undefined, databases: [], selected: [], assessment: NO_ASSESSMENT, passwordEntered: false } };
}
