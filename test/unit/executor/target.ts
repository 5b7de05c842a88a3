// The executor tests' name for the shared builders in test/support/service-spec.ts.
export { healthCheck, serviceTarget as target } from '../../support/service-spec.js';
