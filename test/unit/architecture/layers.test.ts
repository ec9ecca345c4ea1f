/**
 * Which folders may import which, checked over the import graph the compiler resolves
 * (importGraph.ts). Each layer is a folder (or one file) with the layers and packages it may
 * import; a file belongs to the layer of its longest folder. What breaks a rule on purpose is an
 * exception: a rule of its own with its reason, and one that no import needs any more fails too.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildImportGraph, type ImportEdge, type ImportGraph } from './importGraph';

/** Something an import may reach. */
interface Target {
  label: string;
  matches(e: ImportEdge): boolean;
}

const under = (e: ImportEdge, folder: string) => !!e.file && (e.file === folder || e.file.startsWith(`${folder}/`));

/** A folder of the project (or one file). */
const folder = (path: string): Target => ({ label: path, matches: (e) => under(e, path) });
/** Packages by name, or by scope with `@scope/*`. */
const packages = (label: string, ...names: string[]): Target => ({
  label,
  matches: (e) => !!e.pkg && names.some((n) => (n.endsWith('/*') ? e.pkg!.startsWith(n.slice(0, -1)) : e.pkg === n)),
});
/** Only `import type` (erased at compile time, loads nothing) of a target. */
const types = (t: Target): Target => ({ label: `types of ${t.label}`, matches: (e) => e.kind === 'type' && t.matches(e) });

const NODE: Target = { label: 'node built-ins', matches: (e) => !!e.pkg?.startsWith('node:') };
const AZURE_SDK = packages('the Azure SDK', '@azure/*', '@azure-rest/*');
const VSCODE = packages('vscode', 'vscode');
const L10N = packages('@vscode/l10n', '@vscode/l10n');
const VALIBOT = packages('valibot', 'valibot');
const WEBVIEW_UI = packages('the webview UI kit', 'lit', '@vscode-elements/elements', '@vscode/codicons');
const PKG = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
const DEPENDENCIES = packages('package.json dependencies', ...Object.keys(PKG.dependencies ?? {}));
const DEV_TOOLS = packages('package.json devDependencies', ...Object.keys(PKG.devDependencies ?? {}));
/** The packages of the faces: the core never loads them. */
const FACE_PACKAGES = ['vscode', '@vscode/l10n', '@vscode/codicons', '@vscode-elements/elements', 'lit', 'valibot'];
const CORE_PACKAGES = packages('the dependencies no face owns (the Azure SDK, the SQL Server driver, ...)', ...Object.keys(PKG.dependencies ?? {}).filter((p) => !FACE_PACKAGES.includes(p)));

/**
 * src/core modules whose value imports, followed through, load no package of `allowed` kinds
 * beyond those: `pure` ones load none at all (they run in the webview's browser too), `light`
 * ones load node built-ins only (never the Azure SDK or the SQL driver, so the extension may
 * load them at activation).
 */
function coreModules(graph: ImportGraph, label: string, allowPackage: (pkg: string) => boolean): Target {
  const verdict = new Map<string, boolean>();
  const ok = (file: string, path: Set<string>): boolean => {
    const known = verdict.get(file);
    if (known !== undefined) return known;
    if (path.has(file)) return true; // a cycle: decided where it started (cycles.test.ts forbids them anyway)
    path.add(file);
    const result = graph.from(file).every((e) => e.kind === 'type' || (e.pkg ? allowPackage(e.pkg) : !e.file || ok(e.file, path)));
    path.delete(file);
    verdict.set(file, result);
    return result;
  };
  return { label, matches: (e) => under(e, 'src/core') && e.kind !== 'type' && ok(e.file!, new Set()) };
}

interface Layer {
  /** A folder, or one file that the rules of its folder do not fit. */
  folder: string;
  may: Target[];
  why: string;
}

interface Exception {
  /** A file or folder of importers. */
  from: string;
  /** What it imports against its layer's rules. */
  to: Target;
  reason: string;
}

function rules(graph: ImportGraph): { layers: Layer[]; exceptions: Exception[] } {
  const PURE_CORE = coreModules(graph, 'src/core modules that load no package', () => false);
  const LIGHT_CORE = coreModules(graph, 'src/core modules that load only node built-ins', (p) => p.startsWith('node:'));
  const layers: Layer[] = [
    {
      folder: 'src/core',
      may: [folder('src/core'), NODE, CORE_PACKAGES],
      why: 'every rule and every call to the outside world, for every face: no editor, no face, no protocol',
    },
    {
      folder: 'src/protocol',
      may: [folder('src/protocol'), PURE_CORE, types(folder('src/core')), VALIBOT],
      why: 'the wizard messages, shared by the extension host and the webview: it runs in both',
    },
    {
      folder: 'src/webview',
      may: [folder('src/webview'), folder('src/protocol'), WEBVIEW_UI, L10N],
      why: 'a view in a browser: it renders state and posts intents through the protocol, never node, the editor or the host',
    },
    {
      folder: 'src/cli',
      may: [folder('src/cli'), folder('src/core'), NODE, types(AZURE_SDK)],
      why: 'sqlmig: argv and a terminal around the core',
    },
    {
      folder: 'src/extension',
      may: [folder('src/extension'), folder('src/protocol'), LIGHT_CORE, types(folder('src/core')), NODE, L10N, types(AZURE_SDK), types(VALIBOT), types(VSCODE)],
      why:
        'the host logic the unit tests run without VS Code (the files that talk to the editor are exceptions below), ' +
        'loaded at activation: the heavy core (Azure SDK, SQL driver, upload, source, assessment) only through services/coreApi.ts',
    },
    {
      folder: 'src/extension/services/coreApi.ts',
      may: [folder('src/core')],
      why: "the lazy core bundle's entry (dist/extension-core.js): everything heavy the editor uses, loaded on first use by loadCore()",
    },
    {
      folder: 'sandbox',
      may: [folder('sandbox'), folder('src/core'), NODE, DEPENDENCIES, DEV_TOOLS],
      why: 'a local Azure on loopback: built on the core (backup reading, planning) and itself, never on a face',
    },
    {
      folder: 'sandbox/dms',
      may: [folder('sandbox/dms'), folder('src/core'), NODE, AZURE_SDK, types(folder('sandbox/clock.ts')), types(folder('sandbox/arm/world.ts')), types(folder('sandbox/arm/longRunning.ts')), types(folder('sandbox/ir/protocol.ts'))],
      why: "the simulated migration service's engine: the ARM front (sandbox/arm) drives it, it never calls the front",
    },
    {
      folder: 'sandbox/ir',
      may: [folder('sandbox/ir'), folder('src/core'), NODE, AZURE_SDK],
      why: 'the integration runtime emulator: a client of the service that talks to it over HTTP only (ir/protocol.ts)',
    },
    {
      folder: 'scripts',
      may: [folder('scripts'), folder('sandbox'), folder('src/core'), NODE, DEPENDENCIES, DEV_TOOLS],
      why: 'build, demos and the editor tests tooling: on the core and the sandbox, like any user',
    },
    {
      folder: 'bench',
      may: [folder('bench'), folder('sandbox'), folder('src/core'), folder('scripts/e2e'), NODE, DEPENDENCIES, DEV_TOOLS],
      why: 'fixed workloads on the core and the sandbox (and the real editor, through the e2e harness)',
    },
  ];
  const face = (from: string, reason: string): Exception => ({ from, to: VSCODE, reason: `the VS Code face: ${reason}` });
  const exceptions: Exception[] = [
    face('src/extension/extension.ts', 'activate()'),
    face('src/extension/ctx.ts', 'the activation context owns the disposables'),
    face('src/extension/config.ts', 'reads and watches the settings'),
    face('src/extension/log.ts', 'the log output channel'),
    face('src/extension/commands', 'commands are registered with the editor and show its UI'),
    face('src/extension/services/accounts.ts', "signs in through VS Code's authentication providers"),
    face('src/extension/dashboard/dashboard.ts', 'the tree view, the status bar item and notifications'),
    face('src/extension/dashboard/detailsPanel.ts', 'the details webview panel'),
    face('src/extension/wizard/panel.ts', 'the wizard webview panel'),
    {
      from: 'src/extension/tools/definitions.ts',
      to: VALIBOT,
      reason: "the chat tools check what a language model sends with the wizard protocol's schema library; loaded on the first tool call (import() from tools/register.ts), never at activation",
    },
    {
      from: 'src/cli/commands/backupsUpload.ts',
      to: AZURE_SDK,
      reason: 'debt: builds a BlobServiceClient from a connection string itself; that belongs in src/core/upload (issue 12), then this goes',
    },
  ];
  return { layers, exceptions };
}

/** The layer of a file: its longest folder. */
function layerOf(layers: Layer[], file: string): Layer | undefined {
  return layers.filter((l) => file === l.folder || file.startsWith(`${l.folder}/`)).sort((a, b) => b.folder.length - a.folder.length)[0];
}

const covers = (from: string, file: string) => file === from || file.startsWith(`${from}/`);

/** Imports that break their layer's rules and no exception allows, said plainly; and the exceptions used. */
function check(graph: ImportGraph, r = rules(graph)): { violations: string[]; used: Set<Exception> } {
  const violations: string[] = [];
  const used = new Set<Exception>();
  for (const e of graph.edges) {
    const layer = layerOf(r.layers, e.from);
    if (!layer || e.unresolved || (e.file && e.file === e.from)) continue;
    if (layer.may.some((t) => t.matches(e))) continue;
    const exception = r.exceptions.find((x) => covers(x.from, e.from) && x.to.matches(e));
    if (exception) {
      used.add(exception);
      continue;
    }
    const what = e.file ?? e.pkg;
    violations.push(`${e.from}:${e.line} imports ${what} (${e.kind}); ${layer.folder} may import only ${layer.may.map((t) => t.label).join(', ')}`);
  }
  return { violations, used };
}

const graph = buildImportGraph();
const table = rules(graph);

test('every source file belongs to a layer', () => {
  assert.deepEqual(graph.files.filter((f) => !layerOf(table.layers, f)), []);
});

test('each layer imports only what its rules allow', () => {
  const { violations } = check(graph, table);
  assert.deepEqual(violations, [], `imports against the layer rules:\n  ${violations.join('\n  ')}`);
});

test('every exception is still needed', () => {
  const { used } = check(graph, table);
  const stale = table.exceptions.filter((x) => !used.has(x)).map((x) => `${x.from} -> ${x.to.label} (${x.reason})`);
  assert.deepEqual(stale, [], 'exceptions no import needs any more: remove them');
});

test('nothing imports the tests', () => {
  assert.deepEqual(graph.edges.filter((e) => under(e, 'test')).map((e) => `${e.from}:${e.line} ${e.specifier}`), []);
});

test('the lazy core bundle is loaded only by import(): activation never parses the Azure SDK or the SQL driver', () => {
  const entry = 'src/extension/services/coreApi.ts';
  const eager = graph.edges.filter((e) => e.file === entry && e.kind === 'value').map((e) => `${e.from}:${e.line}`);
  assert.deepEqual(eager, [], `${entry} imported as a value`);
  // What activation loads: extension.ts and everything it imports as values, followed through.
  const seen = new Set(['src/extension/extension.ts']);
  const loaded = new Set<string>();
  for (const f of seen) {
    for (const e of graph.from(f)) {
      if (e.kind !== 'value') continue;
      if (e.pkg) loaded.add(e.pkg);
      if (e.file) seen.add(e.file);
    }
  }
  assert.deepEqual([...loaded].filter((p) => !p.startsWith('node:') && p !== 'vscode' && p !== '@vscode/l10n').sort(), [], 'packages loaded at activation');
});

test('the product imports only packages it declares as dependencies', () => {
  const undeclared = graph.edges
    .filter((e) => e.from.startsWith('src/') && e.kind !== 'type' && e.pkg && !e.pkg.startsWith('node:') && e.pkg !== 'vscode' && !DEPENDENCIES.matches(e))
    .map((e) => `${e.from}:${e.line} ${e.pkg}`);
  assert.deepEqual(undeclared, [], 'bundled from node_modules without being declared (present only as some other package\'s dependency)');
});

test('the rules catch what they are for', () => {
  const edge = (from: string, to: string, kind: ImportEdge['kind'] = 'value'): ImportEdge =>
    to.includes('.ts') ? { from, specifier: to, kind, line: 1, file: to } : { from, specifier: to, kind, line: 1, pkg: to };
  const fake = (edges: ImportEdge[]): ImportGraph => ({ ...graph, edges, from: (f) => [...graph.from(f), ...edges.filter((e) => e.from === f)] });
  const cases: [ImportEdge, boolean][] = [
    [edge('src/core/x.ts', 'vscode'), false],
    [edge('src/core/x.ts', 'src/extension/ctx.ts'), false],
    [edge('src/core/x.ts', 'src/protocol/wizard.ts', 'type'), false],
    [edge('src/webview/wizard/app/x.ts', 'node:fs'), false],
    [edge('src/webview/wizard/app/x.ts', 'src/extension/errors.ts', 'type'), false],
    [edge('src/webview/wizard/app/x.ts', 'src/core/naming.ts'), false],
    [edge('src/protocol/wizard.ts', 'src/core/azure/cloud.ts'), false],
    [edge('src/protocol/wizard.ts', 'src/core/migrationMode.ts'), true],
    [edge('src/extension/wizard/x.ts', 'vscode'), false],
    [edge('src/extension/wizard/x.ts', 'src/core/azure/index.ts'), false],
    [edge('src/extension/wizard/x.ts', 'src/core/azure/index.ts', 'dynamic'), false],
    [edge('src/extension/wizard/x.ts', 'src/core/azure/index.ts', 'type'), true],
    [edge('src/extension/wizard/x.ts', 'src/core/migration/status.ts'), true],
    [edge('src/extension/commands/x.ts', 'vscode'), true],
    [edge('src/cli/x.ts', 'src/extension/errors.ts'), false],
    [edge('src/cli/x.ts', '@azure/storage-blob'), false],
    [edge('sandbox/dms/x.ts', 'sandbox/arm/emulator.ts', 'type'), false],
    [edge('sandbox/ir/x.ts', 'sandbox/arm/world.ts', 'type'), false],
    [edge('sandbox/arm/x.ts', 'src/extension/errors.ts'), false],
  ];
  for (const [e, allowed] of cases) {
    assert.equal(check(fake([e])).violations.length === 0, allowed, `${e.from} -> ${e.file ?? e.pkg} (${e.kind}) should be ${allowed ? 'allowed' : 'refused'}`);
  }
});
