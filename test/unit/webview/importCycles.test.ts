import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { test } from 'node:test';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The files `file` loads when it runs: relative imports and re-exports, without `import type`. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?([^;]*?)\s+from\s+['"](\.[^'"]+)['"]/gm)) {
    if (m[1]) continue;
    const names = /^\{([^}]*)\}$/.exec(m[2]!.trim())?.[1]?.split(',').map((n) => n.trim()).filter(Boolean);
    if (names && names.every((n) => n.startsWith('type '))) continue;
    const target = normalize(join(dirname(file), m[3]!));
    for (const candidate of [`${target}.ts`, join(target, 'index.ts')]) if (existsSync(candidate)) out.push(candidate);
  }
  return out;
}

test('the wizard (host, webview and their protocol) has no import cycle', () => {
  const files = ['src/extension/wizard', 'src/webview', 'src/protocol'].flatMap(sources).map((f) => normalize(f));
  const graph = new Map(files.map((f) => [f, runtimeImports(f)]));
  const done = new Set<string>();
  const visit = (file: string, path: string[]): void => {
    const at = path.indexOf(file);
    assert.equal(at, -1, `import cycle: ${[...path.slice(at), file].join(' -> ')}`);
    if (done.has(file)) return;
    for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...path, file]);
    done.add(file);
  };
  for (const f of files) visit(f, []);
});
