/**
 * The "Migrate to Azure SQL" webview. It renders the state the host sends and posts the
 * user's intents; it holds no answers of its own (closing it loses nothing) and no secrets.
 * The host sends the whole state once, then what changed (patches); each is validated, and a
 * render happens at most once a frame, however many messages came.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import * as l10n from '@vscode/l10n';
import { render } from 'lit';
import { applyPatch, parseHostMessage, type WizardState } from '../../../protocol/wizard';
import { onInvalidate, ui } from './ui';
import { send } from './vscodeApi';
import { app } from './view';

const root = document.getElementById('app')!;
let state: WizardState | undefined;
let lastStep: string | undefined;
let frame: number | undefined;

function show(): void {
  frame = undefined;
  if (!state) return;
  render(app(state), root);
  // Move focus to the new step's heading, so keyboard and screen-reader users land on it.
  if (state.step !== lastStep) {
    lastStep = state.step;
    requestAnimationFrame(() => document.getElementById('step-title')?.focus());
  }
  // A row asked for (a link in "To continue"): scroll its list to it, then the page to the row.
  const reveal = ui.reveal;
  if (reveal) {
    ui.reveal = undefined;
    requestAnimationFrame(() => {
      const list = document.getElementById(reveal.list);
      const rowHeight = Number(list?.dataset.rowHeight ?? 0);
      if (list && rowHeight) list.scrollTop = Math.max(0, reveal.index * rowHeight - list.clientHeight / 3);
      requestAnimationFrame(() => {
        const row = document.querySelector(`[data-database="${CSS.escape(reveal.database)}"]`);
        row?.scrollIntoView({ block: 'nearest' });
        (row?.querySelector('vscode-textfield, vscode-checkbox, vscode-button') as HTMLElement | null)?.focus();
      });
    });
  }
}

/** One render per frame, whatever number of messages and scroll events came in it. */
function invalidate(): void {
  frame ??= requestAnimationFrame(show);
}
onInvalidate(invalidate);

/** The host posts JSON text (panel.ts): a string crosses the frames as one copy. */
function fromJson(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = parseHostMessage(fromJson(event.data));
  if (!parsed.ok) {
    console.error(`wizard: ignored an invalid message from the extension: ${parsed.error}`);
    return;
  }
  const message = parsed.value;
  if (message.type === 'state') {
    if (message.l10n) l10n.config({ contents: message.l10n });
    state = message.state;
  } else {
    if (!state) return;
    const applied = applyPatch(state, message.ops);
    if (!applied.ok) {
      // Out of step with the host: ask for the whole state again.
      console.error(`wizard: could not apply a change from the extension (${applied.error}); asking for the whole state`);
      send({ type: 'ready' });
      return;
    }
    state = applied.value;
  }
  invalidate();
});

send({ type: 'ready' });
