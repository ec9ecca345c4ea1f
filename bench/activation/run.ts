/**
 * bench/activation: cold activation of the bundled extension, and the size of the .vsix.
 *
 * Each measurement runs in a fresh node process (nothing cached): install a stand-in `vscode`
 * module, then time require(dist/extension.js) + activate(context). The baseline, measured the
 * same way in the same run, is an extension that registers one command and does nothing else,
 * so the ratio shows what our own code costs on top of loading any extension at all.
 * The Azure and SQL Server core (dist/extension-core.js) loads on first use, not at activation:
 * its load time is printed too, against the same baseline.
 * Targets: activation < 50 ms, .vsix < 3 MB.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const TARGET_MS = 50;
const TARGET_BYTES = 3 * 1024 * 1024;

/** The child: loads the stub, then times one extension's require + activate and prints the ms. */
const CHILD = `
const { performance } = require('node:perf_hooks');
require(${JSON.stringify(join(ROOT, 'dist/bench/vscode-stub.js'))}).installVscodeStub();
const { fakeExtensionContext } = require(${JSON.stringify(join(ROOT, 'dist/bench/vscode-stub.js'))});
const context = fakeExtensionContext(${JSON.stringify(ROOT)});
const t0 = performance.now();
const ext = require(process.argv[1]);
if (typeof ext.activate === "function") ext.activate(context);
const t1 = performance.now();
process.stdout.write(String(t1 - t0));
`;

function once(extensionFile: string): number {
  const r = spawnSync(process.execPath, ['-e', CHILD, extensionFile], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`activation run failed:\n${r.stderr}`);
  return Number(r.stdout);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function main(): void {
  const work = mkdtempSync(join(tmpdir(), 'sqlmig-bench-activation-'));
  try {
    const baselineFile = join(work, 'baseline.js');
    writeFileSync(
      baselineFile,
      "const vscode = require('vscode');\nexports.activate = (c) => { c.subscriptions.push(vscode.commands.registerCommand('baseline.hello', () => undefined)); };\n",
    );
    const ours = join(ROOT, 'dist/extension.js');
    once(ours); // warm the OS file cache, not the process
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      b.push(once(baselineFile));
      a.push(once(ours));
    }
    const oursMs = median(a);
    const baseMs = median(b);
    const core = join(ROOT, 'dist/extension-core.js');
    const c: number[] = [];
    for (let i = 0; i < Math.max(3, Math.floor(RUNS / 3)); i++) c.push(once(core));
    const coreMs = median(c);
    console.log(`cold activation (median of ${RUNS} fresh processes, require + activate):`);
    console.log(`  baseline (one-command extension): ${baseMs.toFixed(2)} ms`);
    console.log(`  azure-sql-migration:              ${oursMs.toFixed(2)} ms  = ${(oursMs / baseMs).toFixed(1)}x baseline, ${((oursMs / TARGET_MS) * 100).toFixed(0)}% of the ${TARGET_MS} ms target`);
    console.log(`  bundle dist/extension.js: ${(statSync(ours).size / 1024).toFixed(0)} KB`);
    console.log(`first use of the core (require dist/extension-core.js, ${(statSync(core).size / 1024 / 1024).toFixed(1)} MB; not part of activation): ${coreMs.toFixed(1)} ms = ${(coreMs / baseMs).toFixed(0)}x baseline`);

    const vsix = join(work, 'ext.vsix');
    execFileSync(process.execPath, [require.resolve('@vscode/vsce/vsce'), 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '-o', vsix], { cwd: ROOT, stdio: 'pipe' });
    const size = statSync(vsix).size;
    console.log(`.vsix: ${(size / 1024 / 1024).toFixed(2)} MB = ${((size / TARGET_BYTES) * 100).toFixed(0)}% of the 3 MB target`);
    const ok = oursMs < TARGET_MS && size < TARGET_BYTES;
    console.log(ok ? 'both targets met' : 'TARGET MISSED');
    process.exitCode = ok ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
