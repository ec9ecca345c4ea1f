/**
 * "Discover servers" for the source step: the core's discovery (SQL Server Browser, TDS
 * PRELOGIN), loaded on first use. Traffic goes only to the hosts and ranges given; no login is
 * made. The report becomes what the wizard shows: each instance with the address its server
 * field takes (the core's rule, the one `sqlmig assess --servers` follows).
 */
import { loadCore } from './loadCore';
import type { ServerDiscoveryService } from './types';

export const serverDiscovery: ServerDiscoveryService = {
  availability: { available: true },

  async discover(targets, options, signal, onProgress) {
    const core = await loadCore();
    const report = await core.discover(targets, {
      ...options,
      signal,
      ...(onProgress && { onProgress: (p) => onProgress(p.message, p.total ? Math.min(1, p.done / p.total) : 0) }),
    });
    return {
      servers: report.servers.map((s) => ({
        address: core.serverAddressOf(s),
        host: s.host,
        tds: s.tds,
        ...(s.serverName && { serverName: s.serverName }),
        ...(s.instance && { instance: s.instance }),
        ...(s.port && { port: s.port }),
        ...(s.version && { version: s.version }),
        ...(s.productName && { productName: s.productName }),
        ...(s.clustered !== undefined && { clustered: s.clustered }),
        ...(s.note && { note: s.note }),
      })),
      hosts: report.stats.hosts,
      silent: report.silent.length,
      problems: report.problems.map((p) => `${p.host}: ${p.message}`),
      durationMs: report.durationMs,
    };
  },
};
