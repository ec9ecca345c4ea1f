/**
 * The language model tools API (vscode.lm.registerTool, LanguageModelToolResult, ...), declared
 * here with only what this extension uses: the extension targets VS Code 1.82 (and Azure Data
 * Studio), whose API has none of it. `languageModelToolsOf` finds it at run time; where it is
 * missing the tools are simply not registered and nothing else changes.
 */

export interface CancellationTokenLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => unknown): { dispose(): unknown };
}

export interface ToolInvocationOptions<T> {
  readonly input: T;
  readonly toolInvocationToken?: unknown;
}

export interface ToolPrepareOptions<T> {
  readonly input: T;
}

export interface PreparedToolInvocation {
  invocationMessage?: string;
  /** When present, the editor asks the user before invoking the tool. */
  confirmationMessages?: { title: string; message: string };
}

export interface ToolResultLike {
  readonly content: unknown[];
}

export interface LanguageModelToolLike<T> {
  invoke(options: ToolInvocationOptions<T>, token: CancellationTokenLike): Promise<ToolResultLike>;
  prepareInvocation?(options: ToolPrepareOptions<T>, token: CancellationTokenLike): Promise<PreparedToolInvocation | undefined>;
}

export interface LanguageModelToolsApi {
  registerTool<T>(name: string, tool: LanguageModelToolLike<T>): { dispose(): unknown };
  makeResult(text: string): ToolResultLike;
}

type Ctor<A extends unknown[], R> = new (...args: A) => R;

interface VscodeWithLm {
  lm?: { registerTool?: (name: string, tool: unknown) => { dispose(): unknown } };
  LanguageModelToolResult?: Ctor<[unknown[]], ToolResultLike>;
  LanguageModelTextPart?: Ctor<[string], unknown>;
}

/** The API where the running editor has it (VS Code 1.95+), undefined elsewhere (1.82, Azure Data Studio). */
export function languageModelToolsOf(vscode: unknown): LanguageModelToolsApi | undefined {
  const ns = vscode as VscodeWithLm | undefined;
  const lm = ns && 'lm' in ns ? ns.lm : undefined;
  const Result = ns?.LanguageModelToolResult;
  const Text = ns?.LanguageModelTextPart;
  if (!lm || typeof lm.registerTool !== 'function' || typeof Result !== 'function' || typeof Text !== 'function') return undefined;
  const register = lm.registerTool.bind(lm);
  return {
    registerTool: (name, tool) => register(name, tool),
    makeResult: (text) => new Result([new Text(text)]),
  };
}

/** An AbortSignal that follows a cancellation token. */
export function signalOf(token: CancellationTokenLike | undefined): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  if (token?.isCancellationRequested) controller.abort();
  const sub = token?.onCancellationRequested(() => controller.abort());
  return { signal: controller.signal, dispose: () => void sub?.dispose() };
}
