/**
 * The engine choice, made after the target and shown at the top of the backups step (it decides
 * which backup locations there are): the Database Migration Service, or the managed instance's
 * Log Replay Service; and, for a blob container, how it is read.
 */
import * as l10n from '@vscode/l10n';
import { html, nothing, type TemplateResult } from 'lit';
import { readsBlobContainer, type WizardState } from '../../../../protocol/wizard';
import { send } from '../vscodeApi';
import { isChecked, unavailable } from '../widgets';

export const engineName = (s: WizardState): string => (s.engine.kind === 'lrs' ? l10n.t('Log Replay Service') : l10n.t('Database Migration Service'));

/** The key each engine is handed at Start, or the instance's identity. */
const keyLabel = (s: WizardState) =>
  s.engine.kind === 'lrs' ? l10n.t('A SAS token with Read and List only (made at Start, never saved)') : l10n.t('The storage account\'s key (handed to the migration service at Start)');
const identityLabel = () => l10n.t('The instance\'s managed identity (Storage Blob Data Reader on the account; no key leaves the editor)');

export const containerAccessName = (s: WizardState): string =>
  s.engine.access === 'managedIdentity' ? l10n.t('The instance\'s managed identity') : s.engine.kind === 'lrs' ? l10n.t('SAS token, Read and List (made at Start)') : l10n.t('The storage account\'s key');

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
      ${readsBlobContainer(s)
        ? html`<fieldset>
            <legend>${l10n.t('How the container is read')}</legend>
            <vscode-radio-group variant="vertical">
              <vscode-radio name="access" value="key" label=${keyLabel(s)} ?checked=${s.engine.access === 'key'}
                @change=${(e: Event) => isChecked(e) && send({ type: 'engine.update', patch: { access: 'key' } })}></vscode-radio>
              <vscode-radio name="access" value="managedIdentity" label=${identityLabel()} ?checked=${s.engine.access === 'managedIdentity'}
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
