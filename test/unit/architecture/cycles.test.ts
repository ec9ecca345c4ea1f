/**
 * No import cycles among the project's sources (src, sandbox, scripts, bench), type-only imports
 * included: a cycle of types still ties two modules so that neither can move or be tested alone,
 * and a value cycle makes what a module sees at load time depend on who was loaded first.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { buildImportGraph, describeCycle, findCycles } from './importGraph';

test('the sources import each other without cycles, counting type-only imports', () => {
  const graph = buildImportGraph();
  assert.ok(graph.files.length > 100, `only ${graph.files.length} source files found: run from the project root`);
  const holes = graph.edges.filter((e) => e.unresolved).map((e) => `${e.from}:${e.line} '${e.specifier}'`);
  assert.deepEqual(holes, [], 'relative imports that resolve to no file (the graph would have holes)');
  const cycles = findCycles(graph).map((c) => describeCycle(graph, c));
  assert.deepEqual(cycles, [], `import cycles:\n  ${cycles.join('\n  ')}`);
});

/** A throwaway project: its tsconfig and files. */
function project(files: Record<string, string>): { root: string; done(): void } {
  const root = mkdtempSync(join(tmpdir(), 'sqlmig-graph-'));
  const all = { 'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', resolveJsonModule: true } }), ...files };
  for (const [name, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return { root, done: () => rmSync(root, { recursive: true, force: true }) };
}

test('the graph resolves folders to index.ts, sees every way of importing, and knows type from value', () => {
  const p = project({
    'src/a.ts': [
      "import type { B } from './b';",
      "import { type C } from './c/index';",
      "export { d } from './d';",
      "export type { E } from './e';",
      "import './side';",
      "const f = () => import('./f');",
      "let g: import('./g').G;",
      "import fs = require('node:fs');",
      "import { readFile } from 'fs/promises';",
      "import * as vs from '@scope/pkg/deep';",
      "import { nothing } from './missing';",
    ].join('\n'),
    'src/b.ts': 'export type B = 1;',
    'src/c/index.ts': 'export type C = 1;',
    'src/d.ts': 'export const d = 1;',
    'src/e.ts': 'export type E = 1;',
    'src/side.ts': '',
    'src/f.ts': '',
    'src/g.ts': 'export type G = 1;',
  });
  try {
    const g = buildImportGraph(p.root, ['src']);
    const seen = g.from('src/a.ts').map((e) => `${e.specifier} ${e.kind} ${e.file ?? e.pkg ?? (e.unresolved && 'unresolved')}`);
    assert.deepEqual(seen, [
      './b type src/b.ts',
      './c/index type src/c/index.ts',
      './d value src/d.ts',
      './e type src/e.ts',
      './side value src/side.ts',
      './f dynamic src/f.ts',
      './g type src/g.ts',
      'node:fs value node:fs',
      'fs/promises value node:fs',
      '@scope/pkg/deep value @scope/pkg',
      './missing value unresolved',
    ]);
  } finally {
    p.done();
  }
});

test('a cycle is reported with its files in import order, also when only types close it', () => {
  const p = project({
    'src/one.ts': "import { two } from './two';\nexport const one = two;",
    'src/two.ts': "import { three } from './sub';\nexport const two = three;",
    'src/sub/index.ts': "export { three } from './three';",
    'src/sub/three.ts': "import type { One } from '../one';\nexport const three = 3; export type T = One;",
    'src/free.ts': "import { one } from './one';",
    'src/self.ts': "import type { X } from './self';\nexport type X = 1;",
  });
  try {
    const g = buildImportGraph(p.root, ['src']);
    const cycles = findCycles(g);
    assert.deepEqual(
      cycles.map((c) => c.files),
      [['src/one.ts', 'src/two.ts', 'src/sub/index.ts', 'src/sub/three.ts'], ['src/self.ts']],
    );
    assert.equal(describeCycle(g, cycles[0]!), 'src/one.ts -value-> src/two.ts -value-> src/sub/index.ts -value-> src/sub/three.ts -type-> src/one.ts');
    assert.deepEqual(findCycles(g, (e) => e.kind !== 'type'), [], 'without type imports there is none');
  } finally {
    p.done();
  }
});
