/**
 * Registers the extension's language model tools where the running editor has the API (VS Code
 * 1.95+): each is a thin stand-in that loads the tools' code (definitions.ts, with valibot) on its
 * first call, so activation stays as it was. In VS Code 1.82 and Azure Data Studio nothing is
 * registered and nothing fails. The editor activates the extension for a tool call by itself
 * (onLanguageModelTool:<name>, implied by contributes.languageModelTools).
 */
import { describeError, isCancellation } from '../errors';
import type { Redactor } from '../redact';
import type { ToolDeps, ToolImpl, ToolName } from './definitions';
import { languageModelToolsOf, signalOf, type LanguageModelToolLike } from './lm';

/** The tools, as contributed in package.json (a test keeps the two in step). */
export const TOOL_NAMES: readonly ToolName[] = [
  'sqlmig_list_migrations',
  'sqlmig_explain_cutover',
  'sqlmig_scan_backups',
  'sqlmig_summarize_assessment',
  'sqlmig_complete_cutover',
  'sqlmig_cancel_migration',
];

/** A failure said to the model: what failed and what to do, masked, never a stack. */
function toolFailure(e: unknown, tool: string, redactor: Redactor): Error {
  if ((e as Error)?.name === 'ToolError') return new Error(redactor.redact((e as Error).message));
  const r = describeError(e, tool);
  return new Error(redactor.redact(`${r.message} ${r.next}`));
}

export function registerTools(vscode: unknown, deps: ToolDeps & { redactor: Redactor }): { dispose(): unknown }[] {
  const api = languageModelToolsOf(vscode);
  if (!api) return [];
  let tools: Promise<Record<ToolName, ToolImpl>> | undefined;
  const load = () => (tools ??= import('./definitions').then((d) => d.createTools(deps)));
  return TOOL_NAMES.map((name) => {
    const tool: LanguageModelToolLike<unknown> = {
      async prepareInvocation(options, token) {
        const impl = (await load())[name];
        if (!impl.prepare) return undefined;
        const s = signalOf(token);
        try {
          return await impl.prepare(options.input, s.signal);
        } catch (e) {
          if (isCancellation(e)) throw e;
          throw toolFailure(e, name, deps.redactor);
        } finally {
          s.dispose();
        }
      },
      async invoke(options, token) {
        const impl = (await load())[name];
        const s = signalOf(token);
        try {
          const text = await impl.invoke(options.input, s.signal);
          return api.makeResult(deps.redactor.redact(text));
        } catch (e) {
          if (isCancellation(e)) throw e;
          deps.log.warn(`chat tool ${name}: ${describeError(e, name).detail}`);
          throw toolFailure(e, name, deps.redactor);
        } finally {
          s.dispose();
        }
      },
    };
    return api.registerTool(name, tool);
  });
}
