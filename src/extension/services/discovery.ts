/**
 * "Find servers" for the source step: the core's discovery (SQL Server Browser, TDS PRELOGIN),
 * loaded on first use. Traffic goes only to the hosts and ranges given; no login is made.
 */
import { loadCore } from './loadCore';
import type { ServerDiscoveryService } from './types';

export const serverDiscovery: ServerDiscoveryService = {
  availability: { available: true },

  async discover(targets, options, signal, onProgress) {
    const core = await loadCore();
    return core.discover(targets, {
      ...options,
      signal,
      ...(onProgress && { onProgress: (p) => onProgress(p.message, p.total ? Math.min(1, p.done / p.total) : 0) }),
    });
  },
};
