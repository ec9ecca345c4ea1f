/**
 * The ARM emulator's registration (sandbox/arm/routes.ts) against the official OpenAPI documents
 * in sandbox/specs: each operation is named by the operationId of the spec operation on its
 * method and path, accepts the api-version of the document that describes it, and only ARM's
 * polling resources and the sandbox's own routes are undocumented.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ARM_OPERATIONS, SANDBOX_ROUTES } from '../../../sandbox/arm/routes';

const SPECS = join(__dirname, '../../../sandbox/specs/specification');

interface SpecOperation {
  method: string;
  template: string;
  operationId: string;
  apiVersion: string;
}

function specOperations(dir: string): SpecOperation[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === 'examples' ? [] : specOperations(p);
    if (!n.endsWith('.json')) return [];
    const doc = JSON.parse(readFileSync(p, 'utf8'));
    return Object.entries<Record<string, { operationId?: string }>>(doc.paths ?? {}).flatMap(([template, item]) =>
      ['get', 'put', 'post', 'patch', 'delete', 'head']
        .filter((m) => item[m]?.operationId)
        .map((m) => ({ method: m.toUpperCase(), template, operationId: item[m]!.operationId!, apiVersion: doc.info?.version })),
    );
  });
}

/** Same path: literal segments equal without regard to case, parameters in the same places with the same names. */
function samePath(a: string, b: string): boolean {
  const x = a.split('/').filter(Boolean);
  const y = b.split('/').filter(Boolean);
  return x.length === y.length && x.every((s, i) => (s.startsWith('{') ? s === y[i] : s.toLowerCase() === y[i]!.toLowerCase()));
}

/** Which segments are parameters, ignoring their names: how a request would be routed. */
function sameShape(a: string, b: string): boolean {
  const shape = (p: string) => p.split('/').filter(Boolean).map((s) => (s.startsWith('{') ? '{}' : s.toLowerCase())).join('/');
  return shape(a) === shape(b);
}

test('each ARM operation is named and routed as the spec operation it implements', () => {
  const spec = specOperations(SPECS);
  assert.ok(spec.length > 100, `${spec.length} spec operations read from ${SPECS}`);
  const problems: string[] = [];
  for (const op of ARM_OPERATIONS) {
    const { method, path, apiVersions, undocumented, auth } = op.route;
    if (!apiVersions?.length || auth !== 'bearer') problems.push(`${op.name}: an ARM route takes the bearer token and an api-version`);
    const routed = spec.filter((s) => s.method === method && sameShape(s.template, path));
    if (undocumented !== undefined) {
      if (routed.length) problems.push(`${op.name} is marked undocumented, but ${routed.map((s) => s.operationId).join(', ')} describes ${method} ${path}`);
      continue;
    }
    const same = routed.filter((s) => samePath(s.template, path));
    if (!same.length) {
      problems.push(`${op.name}: no spec operation on ${method} ${path}${routed.length ? ` (${routed[0]!.operationId} names its parameters ${routed[0]!.template})` : ''}`);
      continue;
    }
    if (!same.some((s) => s.operationId === op.name)) problems.push(`${op.name} implements ${same.map((s) => s.operationId).join(' or ')} (${method} ${path}): name it so`);
    for (const s of same) {
      if (s.apiVersion && !apiVersions?.includes(s.apiVersion)) problems.push(`${op.name} refuses ${s.apiVersion}, the api-version of the document that describes it`);
    }
  }
  assert.deepEqual(problems, []);
});

test('every operation has its own name, and the sandbox routes are its own', () => {
  const names = [...ARM_OPERATIONS, ...SANDBOX_ROUTES].map((op) => op.name);
  assert.deepEqual(names.filter((n, i) => !n || names.indexOf(n) !== i), [], 'names empty or used twice');
  for (const op of SANDBOX_ROUTES) {
    assert.match(op.route.path, /^\/_sandbox\//, op.name);
    assert.equal(op.route.apiVersions, null, op.name);
  }
  // The runtime proves itself with a service's key; everything else needs the sandbox's token.
  assert.deepEqual(SANDBOX_ROUTES.filter((op) => op.route.auth === 'authKey').map((op) => op.route.path), ['/_sandbox/ir/register', '/_sandbox/ir/heartbeat', '/_sandbox/ir/report']);
});
