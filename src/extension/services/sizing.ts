/** Sizing for the wizard's target step: the core's recommendation from a performance data folder (no prices: the CLI's recommend has them). No `vscode` here. */
import { loadCore } from './loadCore';
import type { SizingService } from './types';

export const sizingService: SizingService = {
  availability: { available: true },
  async recommend(folder, databases, signal) {
    const core = await loadCore();
    return (await core.sizeFromFolder({ data: folder, ...(databases.length && { databases }), signal })).recommendation;
  },
};
