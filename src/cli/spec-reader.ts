// The specs behind `get -o wide`, `describe` and `logs`: the status document holds no spec, so
// they come from the manifests, read the way vaid reads them. The dir is the one vaid applied
// (status.manifests.dir) unless --manifests or VAI_MANIFESTS names another. Loaded only when a
// command needs it: yaml and ajv are too slow to load for a plain `vaictl get`.
import type { DesiredService } from '../manifest/types.js';
import type { StatusDocument } from '../status/schema.js';
import { remoteServer } from './status-reader.js';

export interface SpecSet {
  services: ReadonlyMap<string, DesiredService>;
  /** Why specs are missing, said once on stderr; null when they loaded. */
  warning: string | null;
}

export async function readSpecs(doc: StatusDocument | null, manifests: string, explicit: boolean): Promise<SpecSet> {
  const server = remoteServer();
  if (server && !explicit) {
    // The status is another host's: its manifest dir is there, and a local dir of the same name would show the wrong specs.
    return { services: new Map(), warning: `the manifests are on ${server}; pass --manifests DIR (a checkout of the same repo) to show spec fields` };
  }
  const dir = explicit || !doc ? manifests : doc.manifests.dir;
  try {
    const { loadDesiredState } = await import('../manifest/load-desired-state.js');
    // Display only: a file vaid refuses for its permissions is still worth showing, and the
    // refusal itself is in status (manifest errors).
    const state = await loadDesiredState({ dir, allowUnsafePermissions: true });
    return { services: state.services, warning: null };
  } catch (e) {
    return { services: new Map(), warning: `cannot read the manifests in ${dir} (${(e as Error).message}); spec fields show <unknown>` };
  }
}
