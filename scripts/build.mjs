// Bundles the extension, the sqlmig CLI and the runnable scripts with esbuild.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  define: { SQLMIG_VERSION: JSON.stringify(pkg.version) },
};

await Promise.all([
  build({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], minify: true }),
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  build({ ...common, entryPoints: ['scripts/demo.ts'], outfile: 'dist/demo.js' }),
  build({ ...common, entryPoints: { 'backup-scan': 'bench/backup-scan/run.ts' }, outdir: 'dist/bench' }),
  // The sandbox runs from the repository: its packages (Azurite, the Azure SDK) load from node_modules.
  build({ ...common, packages: 'external', external: ['azurite/*'], entryPoints: { sandbox: 'sandbox/start.ts', 'sandbox-ir': 'sandbox/ir/main.ts' }, outdir: 'dist' }),
  build({ ...common, packages: 'external', external: ['azurite/*'], entryPoints: { sandbox: 'bench/sandbox/run.ts', 'sandbox-client': 'bench/sandbox/client.ts' }, outdir: 'dist/bench' }),
]);
