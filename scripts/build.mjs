// Bundles the extension, the sqlmig CLI and the runnable scripts with esbuild.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const importMetaShim = "var importMetaUrl = require('node:url').pathToFileURL(__filename).href;";
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  define: { SQLMIG_VERSION: JSON.stringify(pkg.version), 'import.meta.url': 'importMetaUrl' },
  // Some Azure SDK packages resolve to their ESM build and read import.meta.url: give CommonJS a value.
  banner: { js: importMetaShim },
  // Azurite runs as its own process from node_modules, never bundled.
  external: ['azurite', 'azurite/*'],
};

// The extension loads the Azure/SQL core on first use: extension.js requires extension-core.js
// only when `loadCore()` runs, so activation never parses the Azure SDK or the SQL driver.
const lazyCore = {
  name: 'lazy-core',
  setup(b) {
    b.onResolve({ filter: /\/coreApi$/ }, () => ({ path: './extension-core.js', external: true }));
  },
};

await Promise.all([
  build({
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    external: [...common.external, 'vscode'],
    minify: true,
    plugins: [lazyCore],
    // import('./extension-core.js') becomes a require: VS Code loads extensions as CommonJS.
    supported: { 'dynamic-import': false },
  }),
  build({ ...common, entryPoints: { 'extension-core': 'src/extension/services/coreApi.ts' }, outdir: 'dist', external: [...common.external, 'vscode'], minify: true, sourcemap: false, legalComments: 'none' }),
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: `#!/usr/bin/env node\n${importMetaShim}` } }),
  build({ ...common, entryPoints: ['scripts/demoScan.ts'], outfile: 'dist/demo-scan.js' }),
  build({
    ...common,
    entryPoints: {
      'backup-scan': 'bench/backup-scan/run.ts',
      assessment: 'bench/assessment/run.ts',
      upload: 'bench/upload/run.ts',
      activation: 'bench/activation/run.ts',
      'vscode-stub': 'test/unit/extension/vscodeStub.ts',
    },
    outdir: 'dist/bench',
    external: [...common.external, 'vscode', '@vscode/vsce'],
  }),
  // The wizard webview: a browser bundle, loaded only from dist/webview (its localResourceRoots).
  build({
    entryPoints: ['src/webview/wizard/app/main.ts'],
    outfile: 'dist/webview/wizard.js',
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  }),
  // The sandbox runs from the repository: its packages (Azurite, the Azure SDK) load from node_modules.
  build({ ...common, packages: 'external', entryPoints: { sandbox: 'sandbox/start.ts', 'sandbox-ir': 'sandbox/ir/main.ts', demo: 'scripts/demo.ts' }, outdir: 'dist' }),
  build({ ...common, packages: 'external', entryPoints: { sandbox: 'bench/sandbox/run.ts', 'sandbox-client': 'bench/sandbox/client.ts', monitor: 'bench/monitor/run.ts' }, outdir: 'dist/bench' }),
]);

// Static webview assets: our stylesheet and the codicon font that vscode-elements uses.
mkdirSync('dist/webview', { recursive: true });
copyFileSync('src/webview/wizard/wizard.css', 'dist/webview/wizard.css');
copyFileSync('node_modules/@vscode/codicons/dist/codicon.css', 'dist/webview/codicon.css');
copyFileSync('node_modules/@vscode/codicons/dist/codicon.ttf', 'dist/webview/codicon.ttf');
