/**
 * The engine, chosen after the target (shown at the top of the backups step, whose locations it
 * decides): the Database Migration Service, or the managed instance's own Log Replay Service,
 * which needs no migration service or runtime and so skips the migration-service step, but
 * reads blob storage only (a folder uploaded from this machine, or a container). Either engine
 * reads a container with a key handed over at Start (a SAS token, or the migration service's
 * account key) or with the instance's managed identity. The rules of a Log Replay Service
 * restore are the core's (lrsPlan, lrsChecks): they run at Start, as with sqlmig log-replay start.
 */
import * as l10n from '@vscode/l10n';
import { IDLE } from '../state';
import { issue, reducerOnly, type HostStep, type Issue } from '../context';
import { skippedSteps, type WizardState } from '../../../protocol/wizard';

export const DEFAULT_ENGINE: WizardState['engine'] = { kind: 'dms', access: 'key' };

// Both sides need it (the webview's step list shows a skipped step): its home is the protocol.
export { skippedSteps };

/** What the engine adds to the backups step's check (the reducer never lets a share in; a state loaded from elsewhere might). */
export function engineIssues(s: WizardState): Issue[] {
  if (s.engine.kind !== 'lrs') return [];
  const out: Issue[] = [];
  if (!s.capabilities.logReplay.available) out.push(issue('unavailable.logReplay', s.capabilities.logReplay.reason ?? l10n.t('Not available.')));
  if (s.backups.location === 'share') out.push(issue('lrsShare', l10n.t('The Log Replay Service reads blob storage only: choose a folder on this machine (uploaded) or a blob container, or choose the Database Migration Service.')));
  return out;
}

export const engineStep = {
  handlers: { 'engine.update': reducerOnly },
  reducers: {
    'engine.update': (s, a) => {
      const engine = { ...s.engine, ...a.patch };
      if (engine.kind === s.engine.kind && engine.access === s.engine.access) return s;
      const next: WizardState = { ...s, engine };
      // A network share is read by the migration service's runtime only: the Log Replay Service starts from an uploaded folder.
      if (engine.kind === 'lrs' && s.backups.location === 'share') {
        next.backups = { ...s.backups, location: 'upload', databases: s.backups.databases.map((d) => ({ ...d, folder: '', lastBackupName: '', check: undefined, checkOp: IDLE })) };
      }
      // Changed from a step the new engine skips: back where the engine is chosen.
      return skippedSteps(next).has(next.step) ? { ...next, step: 'backups' } : next;
    },
  },
} satisfies Pick<HostStep, 'handlers' | 'reducers'>;
