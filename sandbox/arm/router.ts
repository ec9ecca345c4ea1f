/**
 * Routes of the ARM emulator. Every operation is a named function, called with the emulator
 * and the request, and carries its route: method, path template and the api-versions it
 * accepts. A provider module declares the route on the line above the function,
 *
 *   ManagedInstances_Get.route = route('GET', MI, API_VERSIONS.sql);
 *   export function ManagedInstances_Get(emu: Emulator, req: ArmRequest): ArmResponse { ... }
 *
 * and routes.ts lists the functions. An ARM operation is named by its OpenAPI operationId, so
 * a reader (and test/unit/sandbox/routes.test.ts) can hold each against the spec; the routes
 * of the sandbox's own (`/_sandbox/...`) are named `Thing_Verb` alike.
 */
import type { ArmRequest, ArmResponse } from './http';
import { withRetryAfter } from './longRunning';

export type Method = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE' | 'HEAD';

export interface Route {
  method: Method;
  /** Like `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}`: literal segments match without regard to case, `{name}` fills `req.params.name`. */
  path: string;
  /** The api-versions it accepts; null for the sandbox's own routes, which take none. */
  apiVersions: readonly string[] | null;
  /** Why no OpenAPI document of the providers describes it (ARM's polling resources, the sandbox's own routes). */
  undocumented?: string;
  /**
   * Who may call it: the holder of the sandbox's bearer token (every ARM route and the admin
   * routes), or an integration runtime node, which proves itself with a service's
   * authentication key in the body (checked by the operation).
   */
  auth: 'bearer' | 'authKey';
}

/** An ARM route: bearer token, api-version checked. */
export function route(method: Method, path: string, apiVersions: readonly string[], undocumented?: string): Route {
  return { method, path, apiVersions, auth: 'bearer', ...(undocumented !== undefined && { undocumented }) };
}

/** A route of the sandbox's own under `/_sandbox/` (control and integration runtime): no api-version, no fault injection. */
export function sandboxRoute(method: Method, path: string, auth: Route['auth']): Route {
  if (!path.toLowerCase().startsWith('/_sandbox/')) throw new Error(`sandbox routes live under /_sandbox/, not at ${path}`);
  return { method, path, apiVersions: null, auth, undocumented: "the sandbox's own route" };
}

/** An operation: a handler that knows its route. `C` is what it runs against (the emulator). */
export type Operation<C> = ((context: C, req: ArmRequest) => ArmResponse | Promise<ArmResponse>) & { route: Route };

export interface RouteMatch<C> {
  operation: Operation<C>;
  params: Record<string, string>;
  /** Runs the operation; a long-running operation's answer gets its Retry-After (see withRetryAfter). */
  run(req: ArmRequest): Promise<ArmResponse>;
}

interface Entry<C> {
  operation: Operation<C>;
  segments: string[];
}

/**
 * Finds the operation for a method and path. Every answer goes through withRetryAfter here,
 * so no operation can forget the Retry-After of a long-running operation.
 */
export class Router<C> {
  private readonly entries: Entry<C>[] = [];

  constructor(
    private readonly context: C,
    operations: readonly Operation<C>[],
  ) {
    const seen = new Map<string, string>();
    for (const operation of operations) {
      const { method, path } = operation.route;
      const segments = split(path).map((s) => (s.startsWith('{') ? s : s.toLowerCase()));
      // Two operations on one route would leave the second unreachable.
      const shape = `${method} /${segments.map((s) => (s.startsWith('{') ? '{}' : s)).join('/')}`;
      const other = seen.get(shape);
      if (other !== undefined) throw new Error(`${operation.name} and ${other} both claim ${method} ${path}`);
      seen.set(shape, operation.name);
      this.entries.push({ operation, segments });
    }
  }

  match(method: string, pathname: string): RouteMatch<C> | { methodNotAllowed: true } | undefined {
    const parts = split(pathname);
    let pathMatched = false;
    for (const { operation, segments } of this.entries) {
      if (segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const seg = segments[i]!;
        if (seg.startsWith('{')) params[seg.slice(1, -1)] = parts[i]!;
        else ok = seg === parts[i]!.toLowerCase();
      }
      if (!ok) continue;
      if (operation.route.method !== method) {
        pathMatched = true;
        continue;
      }
      return { operation, params, run: async (req) => withRetryAfter(await operation(this.context, req)) };
    }
    return pathMatched ? { methodNotAllowed: true } : undefined;
  }
}

function split(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}
