/**
 * The "Migrate to Azure SQL" webview. It renders the state the host sends and posts the
 * user's intents; it holds no answers of its own (closing it loses nothing) and no secrets.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import * as l10n from '@vscode/l10n';
import { render } from 'lit';
import { parseHostMessage, type WizardState } from '../../../protocol/wizard';
import { send } from './vscodeApi';
import { app } from './view';

const root = document.getElementById('app')!;
let lastStep: string | undefined;

function show(state: WizardState): void {
  render(app(state), root);
  // Move focus to the new step's heading, so keyboard and screen-reader users land on it.
  if (state.step !== lastStep) {
    lastStep = state.step;
    requestAnimationFrame(() => document.getElementById('step-title')?.focus());
  }
}

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = parseHostMessage(event.data);
  if (!parsed.ok) {
    console.error(`wizard: ignored an invalid message from the extension: ${parsed.error}`);
    return;
  }
  if (parsed.value.l10n) l10n.config({ contents: parsed.value.l10n });
  show(parsed.value.state);
});

send({ type: 'ready' });
