/**
 * The project's import graph, as the TypeScript compiler resolves it: every import, export-from,
 * `import()`, `require()` and `import('x').T` type reference of every source file, resolved with
 * the project's compiler options (relative paths, `index.ts`, packages). The architecture tests
 * (cycles.test.ts, layers.test.ts) check rules over it, so a rule sees what the compiler sees:
 * a type-only import is an edge too, and an import spelled in a way a regex would miss is not lost.
 */
import { builtinModules } from 'node:module';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** How a file uses what it imports. */
export type ImportKind =
  /** Loaded with the file (an import or export-from with at least one value, a side-effect import, `require`). */
  | 'value'
  /** Erased at compile time (`import type`, `export type`, every specifier `type`, `import('x').T`). */
  | 'type'
  /** Loaded when `import()` runs. */
  | 'dynamic';

export interface ImportEdge {
  /** The importing file, relative to the root with `/` separators. */
  from: string;
  /** The text between the quotes. */
  specifier: string;
  kind: ImportKind;
  /** 1-based line of the import, for messages. */
  line: number;
  /** A file of the project (relative to the root), when the import resolves inside it. */
  file?: string;
  /** The package (`vscode`, `@azure/arm-sql`, `node:fs` for every Node built-in) when it resolves outside. */
  pkg?: string;
  /** Set when a relative import resolves to nothing: the graph has a hole there. */
  unresolved?: true;
}

export interface ImportGraph {
  root: string;
  /** Every source file, relative to the root, sorted. */
  files: string[];
  /** Every import of every file. */
  edges: ImportEdge[];
  /** The edges of one file. */
  from(file: string): ImportEdge[];
}

/** The folders whose TypeScript is the project's code (tests import it; nothing imports tests). */
export const SOURCE_ROOTS = ['src', 'sandbox', 'scripts', 'bench'];

const SOURCE_FILE = /\.(ts|tsx|mts|cts)$/;

function sourceFiles(root: string, dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(join(root, dir));
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    if (n === 'node_modules' || n.startsWith('.')) return [];
    const rel = `${dir}/${n}`;
    const st = statSync(join(root, rel));
    if (st.isDirectory()) return sourceFiles(root, rel);
    return SOURCE_FILE.test(n) && !n.endsWith('.d.ts') ? [rel] : [];
  });
}

/** The compiler options of `tsconfig.json` at the root (resolution settings are what matter here). */
function compilerOptions(root: string): ts.CompilerOptions {
  const path = join(root, 'tsconfig.json');
  const read = ts.readConfigFile(path, ts.sys.readFile);
  if (read.error) return { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, resolveJsonModule: true };
  return ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, path).options;
}

const BUILTINS = new Set(builtinModules);

/** `@scope/name/deep` -> `@scope/name`, `lit/html.js` -> `lit`, `fs` and `node:fs/promises` -> `node:fs`. */
export function packageOf(specifier: string): string {
  if (specifier.startsWith('node:')) return `node:${specifier.slice(5).split('/')[0]}`;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return BUILTINS.has(name) ? `node:${name}` : name;
}

interface RawImport {
  specifier: string;
  kind: ImportKind;
  pos: number;
}

/** Every module reference in a file, with how it is used. */
function importsOf(sf: ts.SourceFile): RawImport[] {
  const out: RawImport[] = [];
  const add = (lit: ts.Expression | undefined, kind: ImportKind, node: ts.Node) => {
    if (lit && ts.isStringLiteralLike(lit)) out.push({ specifier: lit.text, kind, pos: node.getStart(sf) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      let typeOnly = false;
      if (clause?.isTypeOnly) typeOnly = true;
      else if (clause && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings)) {
        const els = clause.namedBindings.elements;
        // `import { type A, type B } from 'x'` is erased like `import type`; `import {} from 'x'` is not.
        typeOnly = els.length > 0 && els.every((e) => e.isTypeOnly);
      }
      add(node.moduleSpecifier, typeOnly ? 'type' : 'value', node);
    } else if (ts.isExportDeclaration(node)) {
      if (node.moduleSpecifier) {
        const els = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
        const typeOnly = node.isTypeOnly || (!!els && els.length > 0 && els.every((e) => e.isTypeOnly));
        add(node.moduleSpecifier, typeOnly ? 'type' : 'value', node);
      }
    } else if (ts.isImportEqualsDeclaration(node)) {
      if (ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression, node.isTypeOnly ? 'type' : 'value', node);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) add(arg.literal, 'type', node);
    } else if (ts.isCallExpression(node)) {
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0], 'dynamic', node);
      else if (ts.isIdentifier(node.expression) && node.expression.text === 'require' && node.arguments.length === 1) add(node.arguments[0], 'value', node);
    } else if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) {
      // `declare module 'x' { ... }` augments a module; it imports nothing.
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Builds the graph of every TypeScript file under `roots` (default SOURCE_ROOTS) of the project at `root`. */
export function buildImportGraph(root: string = process.cwd(), roots: readonly string[] = SOURCE_ROOTS): ImportGraph {
  const absRoot = resolve(root);
  const options = compilerOptions(absRoot);
  const host: ts.ModuleResolutionHost = ts.sys;
  const cache = ts.createModuleResolutionCache(absRoot, (f) => (ts.sys.useCaseSensitiveFileNames ? f : f.toLowerCase()), options);
  const files = roots.flatMap((r) => sourceFiles(absRoot, r)).sort();
  const rel = (abs: string) => relative(absRoot, abs).split(sep).join('/');
  const edges: ImportEdge[] = [];
  for (const file of files) {
    const abs = join(absRoot, file);
    const text = ts.sys.readFile(abs) ?? '';
    const sf = ts.createSourceFile(abs, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    for (const imp of importsOf(sf)) {
      const line = sf.getLineAndCharacterOfPosition(imp.pos).line + 1;
      const edge: ImportEdge = { from: file, specifier: imp.specifier, kind: imp.kind, line };
      const relativeSpec = imp.specifier.startsWith('.') || imp.specifier.startsWith('/');
      const resolved = ts.resolveModuleName(imp.specifier, abs, options, host, cache).resolvedModule;
      const target = resolved && !resolved.isExternalLibraryImport ? rel(resolved.resolvedFileName) : undefined;
      if (target && !target.startsWith('..') && !target.split('/').includes('node_modules')) edge.file = target;
      else if (relativeSpec) edge.unresolved = true;
      else edge.pkg = packageOf(imp.specifier);
      edges.push(edge);
    }
  }
  const byFile = new Map<string, ImportEdge[]>();
  for (const e of edges) byFile.set(e.from, [...(byFile.get(e.from) ?? []), e]);
  return { root: absRoot, files, edges, from: (f) => byFile.get(f) ?? [] };
}

export interface Cycle {
  /** The files in import order: each imports the next, and the last imports the first. */
  files: string[];
  /** Every file on some cycle with these (a strongly connected component), sorted. */
  component: string[];
}

/**
 * The import cycles among `files`: one per group of files that import each other (strongly
 * connected component), given as the shortest cycle through the group's first file. Breaking
 * that one may leave another in the group, which the next run reports. Sorted, so stable.
 */
export function findCycles(graph: Pick<ImportGraph, 'files' | 'edges'>, include: (e: ImportEdge) => boolean = () => true): Cycle[] {
  const nodes = new Set(graph.files);
  const next = new Map<string, string[]>();
  for (const f of graph.files) next.set(f, []);
  for (const e of graph.edges) {
    if (!e.file || !nodes.has(e.file) || !include(e)) continue;
    const list = next.get(e.from)!;
    if (!list.includes(e.file)) list.push(e.file);
  }
  for (const list of next.values()) list.sort();

  // Tarjan's strongly connected components, iteratively (deep chains must not overflow the stack).
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const start of graph.files) {
    if (index.has(start)) continue;
    const work: { node: string; i: number }[] = [{ node: start, i: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1]!;
      const succ = next.get(top.node)!;
      if (top.i < succ.length) {
        const w = succ[top.i++]!;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, i: 0 });
        } else if (onStack.has(w)) low.set(top.node, Math.min(low.get(top.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]!.node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== top.node);
        if (comp.length > 1 || next.get(top.node)!.includes(top.node)) components.push(comp.sort());
      }
    }
  }

  // In each component, the shortest way back to its first file (breadth first, inside the component).
  const shortest = (comp: string[]): string[] => {
    const inside = new Set(comp);
    const first = comp[0]!;
    const prev = new Map<string, string>();
    const queue = [first];
    for (let k = 0; k < queue.length; k++) {
      const n = queue[k]!;
      for (const w of next.get(n)!) {
        if (!inside.has(w)) continue;
        if (w === first) {
          const path = [n];
          while (path[0] !== first) path.unshift(prev.get(path[0]!)!);
          return path;
        }
        if (!prev.has(w)) {
          prev.set(w, n);
          queue.push(w);
        }
      }
    }
    return [first];
  };
  return components.map((component) => ({ files: shortest(component), component })).sort((a, b) => a.component[0]!.localeCompare(b.component[0]!));
}

/** `a -value-> b -type-> a`, each step with its import kinds, then the group's other files. */
export function describeCycle(graph: Pick<ImportGraph, 'edges'>, cycle: Cycle): string {
  const { files } = cycle;
  const steps = files.map((f, i) => {
    const to = files[(i + 1) % files.length]!;
    const kinds = [...new Set(graph.edges.filter((e) => e.from === f && e.file === to).map((e) => e.kind))];
    return `${f} -${kinds.join('+')}->`;
  });
  const others = cycle.component.filter((f) => !files.includes(f));
  return `${steps.join(' ')} ${files[0]}${others.length ? ` (the same knot holds ${others.join(', ')})` : ''}`;
}
