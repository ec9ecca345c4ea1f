/** The webview's side of the channel: typed, validated intents out; validated state in. */
import { parseWebviewMessage, type WebviewMessage } from '../../../protocol/wizard';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function send(message: WebviewMessage): void {
  // Validate what we send too: a bug here should fail loudly in the console, not in the host.
  const parsed = parseWebviewMessage(message);
  if (!parsed.ok) {
    console.error(`wizard: refusing to send an invalid message: ${parsed.error}`);
    return;
  }
  api.postMessage(message);
}
