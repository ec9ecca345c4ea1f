// Bundles the extension, the sqlmig CLI and the runnable scripts with esbuild.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

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
};

await Promise.all([
  build({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], minify: true }),
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: `#!/usr/bin/env node\n${importMetaShim}` } }),
  build({ ...common, entryPoints: ['scripts/demo.ts'], outfile: 'dist/demo.js' }),
  build({ ...common, entryPoints: { 'backup-scan': 'bench/backup-scan/run.ts', assessment: 'bench/assessment/run.ts', upload: 'bench/upload/run.ts' }, outdir: 'dist/bench' }),
]);
