/**
 * Loads the core on first use (see coreApi.ts). The build turns this import into a require of
 * dist/extension-core.js; under the test runner it is the TypeScript module itself.
 */
export type CoreApi = typeof import('./coreApi');

let loading: Promise<CoreApi> | undefined;

export function loadCore(): Promise<CoreApi> {
  return (loading ??= import('./coreApi'));
}
