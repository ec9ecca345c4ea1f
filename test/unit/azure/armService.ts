/**
 * A scripted migration service behind ARM's read throttle, for the budget tests: listMigrations
 * in pages (nextLink), each migration's GET (with details when expanded), every read through
 * the sandbox's token bucket (250, refilling 25/s on the clock the test moves) with its
 * `x-ms-ratelimit-remaining-subscription-reads` header and 429s. The whole SDK pipeline runs
 * (signing, retries, paging, the budget policy); only the network is scripted.
 */
import { ArmReadThrottle } from '../../../sandbox/armThrottle';
import { RequestBudget, type AzureContext, type DatabaseMigrationSqlMi, type MigrationServiceRef } from '../../../src/core/azure';
import { DMS_ID, migration, readyDetails, SUB } from '../migration/fixtures';
import { ScriptedHttp, testContext, type Recorded, type Reply } from './scriptedHttp';

export const SERVICE: MigrationServiceRef = { subscriptionId: SUB, resourceGroup: 'rg', name: 'dms1' };

/** A clock both sides share: the throttle refills on it, the budget waits on it (a wait moves it). */
export class TestClock {
  t = Date.UTC(2026, 10, 1, 9);
  now = () => this.t;
  advance = (ms: number) => void (this.t += ms);
  sleep = async (ms: number) => {
    this.t += ms;
    await new Promise((r) => setImmediate(r));
  };
}

export class ArmService {
  readonly http = new ScriptedHttp();
  readonly throttle: ArmReadThrottle;
  readonly migrations = new Map<string, DatabaseMigrationSqlMi>();
  /** Reads that reached the service (not refused), by kind. */
  counts = { pages: 0, gets: 0, throttled: 0 };

  constructor(readonly clock: TestClock, count: number, readonly pageSize = 100) {
    this.throttle = new ArmReadThrottle({ now: clock.now });
    for (let i = 0; i < count; i++) {
      const name = `Db${String(i).padStart(4, '0')}`;
      this.migrations.set(name, migration(name, 'InProgress', { details: readyDetails({ pendingLogBackupsCount: 1 }) }));
    }
    const gate = (reply: (req: Recorded) => Reply) => (req: Recorded): Reply => {
      const v = this.throttle.admit({ method: req.method, path: req.url.pathname, authorization: req.headers.authorization });
      if (v.kind === 'throttled') {
        this.counts.throttled++;
        return { status: 429, headers: v.headers, body: { error: { code: v.code, message: v.message } } };
      }
      const r = reply(req);
      return v.kind === 'allowed' ? { ...r, headers: { ...r.headers, ...v.headers } } : r;
    };
    this.http.on('GET', /\/listMigrations$/, gate((req) => this.page(req)));
    this.http.on('GET', /\/databaseMigrations\/[^/]+$/, gate((req) => this.get(req)));
  }

  context(budget?: RequestBudget): AzureContext {
    return { ...testContext(this.http), ...(budget && { budget }) };
  }

  budget(): RequestBudget {
    return new RequestBudget({ now: this.clock.now, sleep: this.clock.sleep });
  }

  /** Another status for `n` migrations (their list summary changes). */
  change(names: string[], status: string): void {
    for (const n of names) {
      const m = this.migrations.get(n)!;
      this.migrations.set(n, { ...m, properties: { ...m.properties!, migrationStatus: status } });
    }
  }

  names(): string[] {
    return [...this.migrations.keys()];
  }

  private page(req: Recorded): Reply {
    this.counts.pages++;
    const skip = Number(req.url.searchParams.get('$skiptoken') ?? 0);
    const all = [...this.migrations.values()];
    const value = all.slice(skip, skip + this.pageSize).map((m) => ({ ...m, properties: { ...m.properties!, migrationService: DMS_ID, migrationStatusDetails: undefined } }));
    const next = skip + this.pageSize < all.length ? new URL(req.url.href) : undefined;
    next?.searchParams.set('$skiptoken', String(skip + this.pageSize));
    return { status: 200, body: { value, ...(next && { nextLink: next.href }) } };
  }

  private get(req: Recorded): Reply {
    this.counts.gets++;
    const name = decodeURIComponent(req.url.pathname.split('/').pop()!);
    const m = this.migrations.get(name);
    if (!m) return { status: 404, body: { error: { code: 'ResourceNotFound', message: `no migration ${name}` } } };
    const expand = req.url.searchParams.get('$expand') === 'MigrationStatusDetails';
    return { status: 200, body: expand ? m : { ...m, properties: { ...m.properties!, migrationStatusDetails: undefined } } };
  }
}
