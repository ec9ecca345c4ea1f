/**
 * The engine choice, made after the target and shown at the top of the backups step (it decides
 * which backup locations there are): the Database Migration Service, or the managed instance's
 * Log Replay Service with how it reads the container.
 */
import * as l10n from '@vscode/l10n';
import { html, nothing, type TemplateResult } from 'lit';
import type { WizardState } from '../../../../protocol/wizard';
import { send } from '../vscodeApi';
import { isChecked, unavailable } from '../widgets';

export const engineName = (s: WizardState): string => (s.engine.kind === 'lrs' ? l10n.t('Log Replay Service') : l10n.t('Database Migration Service'));

export function engineSection(s: WizardState): TemplateResult {
  const lrs = s.engine.kind === 'lrs';
  return html`<div class="columns" id="engine">
      <fieldset>
        <legend>${l10n.t('Engine')}</legend>
        <vscode-radio-group variant="vertical">
          <vscode-radio name="engine" value="lrs" label=${l10n.t('Log Replay Service: no migration service or runtime to install')} ?checked=${lrs}
            @change=${(e: Event) => isChecked(e) && send({ type: 'engine.update', patch: { kind: 'lrs' } })}></vscode-radio>
          <vscode-radio name="engine" value="dms" label=${l10n.t('Database Migration Service: also reads a network share')} ?checked=${!lrs}
            @change=${(e: Event) => isChecked(e) && send({ type: 'engine.update', patch: { kind: 'dms' } })}></vscode-radio>
        </vscode-radio-group>
      </fieldset>
      ${lrs
        ? html`<fieldset>
            <legend>${l10n.t('How the instance reads the container')}</legend>
            <vscode-radio-group variant="vertical">
              <vscode-radio name="access" value="sas" label=${l10n.t('A SAS token with Read and List only (made at Start, never saved)')} ?checked=${s.engine.access === 'sas'}
                @change=${(e: Event) => isChecked(e) && send({ type: 'engine.update', patch: { access: 'sas' } })}></vscode-radio>
              <vscode-radio name="access" value="managedIdentity" label=${l10n.t('The instance\'s managed identity (Storage Blob Data Reader on the account)')} ?checked=${s.engine.access === 'managedIdentity'}
                @change=${(e: Event) => isChecked(e) && send({ type: 'engine.update', patch: { access: 'managedIdentity' } })}></vscode-radio>
            </vscode-radio-group>
          </fieldset>`
        : nothing}
    </div>
    ${lrs ? unavailable(s, 'logReplay') : nothing}
    ${lrs
      ? html`<p class="help">${l10n.t('The instance restores each database from its own flat folder. Online restores each backup as it arrives until you complete the cutover; offline restores the whole chain, ending on its last file. At most 30 days per restore. The migration-service step is skipped.')}</p>`
      : nothing}`;
}
