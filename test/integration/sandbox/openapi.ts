/**
 * Validates ARM responses against the official OpenAPI (Swagger 2.0) documents in sandbox/specs
 * with Ajv: the operation is found by method and path template, and the body is checked against
 * the schema of the status code it answered (or the `default` error schema).
 *
 * Stricter than the documents alone: an object definition that no other definition extends
 * gets `unevaluatedProperties: false`, so a property the spec does not know is an error.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import Ajv2019, { type ValidateFunction } from 'ajv/dist/2019';
import addFormats from 'ajv-formats';

export const SPECS = resolve(__dirname, '../../../sandbox/specs/specification');

interface SpecOperation {
  file: string;
  method: string;
  template: string;
  segments: string[];
  operationId: string;
  responses: Record<string, { schema?: unknown }>;
  examples: string[];
  parameters: { name: string; in: string }[];
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? (n === 'examples' ? [] : jsonFiles(p)) : n.endsWith('.json') ? [p] : [];
  });
}

const fileUri = (path: string) => `file:///${relative(SPECS, path).split('\\').join('/')}`;

/** Swagger 2.0 keywords that JSON Schema 2019-09 reads differently. */
function normalize(node: unknown, bases: Set<string>, file: string, pointer: string): void {
  if (typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    node.forEach((n, i) => normalize(n, bases, file, `${pointer}/${i}`));
    return;
  }
  const o = node as Record<string, unknown>;
  // `discriminator` is a property name in Swagger, an object in OpenAPI 3; Ajv would misread it.
  if (typeof o.discriminator === 'string') delete o.discriminator;
  if (o['x-nullable'] === true && typeof o.type === 'string') o.type = [o.type, 'null'];
  const isDefinition = /^\/definitions\/[^/]+$/.test(pointer);
  if (isDefinition && o.properties && o.additionalProperties === undefined && !bases.has(`${file}#${pointer}`)) o.unevaluatedProperties = false;
  for (const [k, v] of Object.entries(o)) if (k !== 'x-ms-examples' && k !== 'example') normalize(v, bases, file, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
}

/** Definitions used as `allOf` bases anywhere: they must allow their children's properties. */
function allOfBases(docs: Map<string, any>): Set<string> {
  const bases = new Set<string>();
  const visit = (node: unknown, file: string) => {
    if (typeof node !== 'object' || node === null) return;
    const o = node as Record<string, unknown>;
    if (Array.isArray(o.allOf)) {
      for (const part of o.allOf as { $ref?: string }[]) {
        if (!part.$ref) continue;
        const [target, frag] = part.$ref.split('#');
        const abs = target ? new URL(target, file).toString() : file;
        bases.add(`${abs}#${frag}`);
      }
    }
    for (const v of Object.values(o)) visit(v, file);
  };
  for (const [id, doc] of docs) visit(doc, id);
  return bases;
}

export class OpenApi {
  private readonly ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: true });
  readonly operations: SpecOperation[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    addFormats(this.ajv);
    const int = (bits: number) => (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** (bits - 1);
    this.ajv.addFormat('int32', { type: 'number', validate: int(32) });
    this.ajv.addFormat('int64', { type: 'number', validate: int(64) });
    this.ajv.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
    this.ajv.addFormat('arm-id', /^\/?subscriptions\/[^/]+(\/.+)?$/i);
    this.ajv.addFormat('password', /.*/);
    const docs = new Map<string, any>();
    for (const path of jsonFiles(SPECS)) docs.set(fileUri(path), JSON.parse(readFileSync(path, 'utf8')));
    const bases = allOfBases(docs);
    for (const [id, doc] of docs) {
      for (const [template, item] of Object.entries<any>(doc.paths ?? {})) {
        for (const method of ['get', 'put', 'post', 'patch', 'delete', 'head']) {
          const op = item[method];
          if (!op) continue;
          const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p: any) => (p.$ref ? this.resolveParam(docs, id, p.$ref) : p));
          this.operations.push({
            file: id,
            method: method.toUpperCase(),
            template,
            segments: template.split('/').filter(Boolean),
            operationId: op.operationId,
            responses: op.responses,
            examples: Object.values<any>(op['x-ms-examples'] ?? {}).map((e) => new URL(e.$ref, id).toString()),
            parameters: params.map((p: any) => ({ name: p.name, in: p.in })),
          });
        }
      }
      normalize(doc, bases, id, '');
      this.ajv.addSchema({ ...doc, $id: id });
    }
  }

  private resolveParam(docs: Map<string, any>, base: string, ref: string): unknown {
    const [target, frag] = ref.split('#');
    const doc = docs.get(target ? new URL(target, base).toString() : base);
    return frag!.split('/').filter(Boolean).reduce((n: any, k) => n?.[k], doc) ?? {};
  }

  /** The operation a request hits; case-insensitive literal segments, as ARM. */
  find(method: string, pathname: string): SpecOperation | undefined {
    const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
    let best: SpecOperation | undefined;
    let bestLiterals = -1;
    for (const op of this.operations) {
      if (op.method !== method || op.segments.length !== parts.length) continue;
      if (!op.segments.every((s, i) => s.startsWith('{') || s.toLowerCase() === parts[i]!.toLowerCase())) continue;
      // The most specific template wins (`/subscriptions` over `/{resourceId}`).
      const literals = op.segments.filter((s) => !s.startsWith('{')).length;
      if (literals > bestLiterals) [best, bestLiterals] = [op, literals];
    }
    return best;
  }

  /**
   * Schema errors of a response, or [] when it conforms. Errors are checked against ARM's common
   * ErrorResponse (some documents declare none, and subscriptions.json nests it one level too
   * deep). Throws when a success status is not documented.
   */
  validate(op: SpecOperation, status: number, body: unknown): string[] {
    if (status >= 400) return this.check('file:///common-types/resource-management/v5/types.json#/definitions/ErrorResponse', body);
    const declared = op.responses[String(status)];
    if (!declared) throw new Error(`${op.operationId}: status ${status} is not among the documented responses (${Object.keys(op.responses).join(', ')})`);
    if (!declared.schema) return body === undefined ? [] : [`${op.operationId} ${status}: the spec declares no body, got one`];
    return this.check(`${op.file}#/paths/${op.template.replace(/~/g, '~0').replace(/\//g, '~1')}/${op.method.toLowerCase()}/responses/${status}/schema`, body);
  }

  /** Errors of `value` against a definition, e.g. `definitionRef(file, 'DatabaseMigrationSqlMi')`. */
  check(ref: string, value: unknown): string[] {
    let v = this.compiled.get(ref);
    if (!v) this.compiled.set(ref, (v = this.ajv.compile({ $ref: ref })));
    return v(value) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'unevaluatedProperty' in e.params ? ` (${String(e.params.unevaluatedProperty)})` : ''}`);
  }

  fileOf(suffix: string): string {
    const op = this.operations.find((o) => o.file.endsWith(suffix));
    if (!op) throw new Error(`no spec file ending with ${suffix}`);
    return op.file;
  }
}
