// The notifier's redaction is the one policy of core/redact.ts.
export { redactUrl, redactText, secretValues, mapStrings } from '../core/redact.js';
