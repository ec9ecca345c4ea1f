/**
 * The slot for capabilities this build does not connect yet. Such a service reports
 * `available: false` with a reason the UI shows, and every call rejects with NotWiredError:
 * nothing here pretends to work.
 */
import { NotWiredError } from '../errors';
import type { Availability, Capability } from './types';

export function notWired<T extends Capability>(capability: string, needs = 'the Azure connection'): T {
  const availability: Availability = {
    available: false,
    reason: `${capability} needs ${needs}, which is not part of this build yet.`,
  };
  return new Proxy({} as T, {
    get(_target, key) {
      if (key === 'availability') return availability;
      if (key === 'then') return undefined; // not a thenable
      // Optional methods (such as SourceService.assess) read as absent.
      if (key === 'assess') return undefined;
      return async () => {
        throw new NotWiredError(capability, availability.reason);
      };
    },
  });
}
