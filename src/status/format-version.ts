// The status document's identity, kept apart from schema.ts so readers that only need to know
// whether they understand a file (vaictl get, a hot path) do not load TypeBox (~120 ms).
export const STATUS_API_VERSION = 'vai/v1';
/** Bumped on incompatible changes; vaictl refuses a newer major with a clear message. */
export const STATUS_FORMAT_VERSION = 1;
/** status.summary.json (summary.ts): its kind, and its format, bumped on any change of its fields; a reader that does not know it reads status.json. */
export const SUMMARY_KIND = 'StatusSummary';
export const SUMMARY_FORMAT_VERSION = 2; // 2: maintenance (the windows and silences covering a service)
