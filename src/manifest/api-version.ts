// The manifests' apiVersion and the published schema's $id, apart from schema.ts so that the
// loader and the legacy converter name them without loading the schema builder (TypeBox).
export const API_VERSION = 'vai/v1';
export const SCHEMA_ID = 'https://vai.dev/schemas/service.schema.json';
