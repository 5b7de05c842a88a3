// The published JSON Schemas, rendered from their TypeBox definitions.
import { ManifestDocumentSchema } from './manifest/schema.js';
import { StatusDocumentSchema, StatusSummarySchema } from './status/schema.js';

export function renderSchemas(): Record<string, string> {
  const status = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://vai.dev/schemas/status.schema.json',
    title: 'vai status document',
    ...StatusDocumentSchema,
  };
  const summary = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://vai.dev/schemas/status-summary.schema.json',
    title: 'vai status summary (status.summary.json)',
    ...StatusSummarySchema,
  };
  return {
    'service.schema.json': `${JSON.stringify(ManifestDocumentSchema, null, 2)}\n`,
    'status.schema.json': `${JSON.stringify(status, null, 2)}\n`,
    'status-summary.schema.json': `${JSON.stringify(summary, null, 2)}\n`,
  };
}
