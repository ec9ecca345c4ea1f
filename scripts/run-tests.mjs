// Runs the test suites with node's test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [unit|integration|all] [file filter]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const [layer = 'all', filter = ''] = process.argv.slice(2);
const layers = layer === 'all' ? ['unit', 'integration'] : [layer];

function find(dir) {
  let out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(find(p));
    else if (name.endsWith('.test.ts') && p.includes(filter)) out.push(p);
  }
  return out;
}

const files = layers.flatMap((l) => find(join('test', l))).sort();
if (files.length === 0) {
  console.error(`no test files under ${layers.map((l) => `test/${l}`).join(', ')}${filter ? ` matching ${filter}` : ''}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
