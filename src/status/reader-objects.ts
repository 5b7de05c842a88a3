// The status reader's Kubernetes-shaped view of a service, for `vaictl get -o json|yaml|jsonpath`
// (issue 21). status.json keeps its own flat format; the mapping is here, once, so
// `{.items[*].metadata.name}` and `{.status.phase}` work as kubectl users type them.
// The spec is the applied one from the manifests (absent when they could not be read), with
// every string redacted: commands and endpoints may carry credentials.
import type { ServiceStatus } from './schema.js';
import { redactJson } from '../core/redact.js';

export interface ServiceObject {
  apiVersion: 'vai/v1';
  kind: 'Service';
  metadata: {
    name: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    generation: number;
    creationTimestamp: string;
    /** The host (context) it was read from, for `get -A`. */
    host?: string;
  };
  spec?: unknown;
  status: Omit<ServiceStatus, 'name' | 'labels' | 'generation' | 'createdAt'>;
}

export interface ObjectList<T> {
  apiVersion: 'vai/v1';
  kind: 'List';
  items: T[];
}

export function serviceObject(s: ServiceStatus, spec?: { annotations?: Record<string, string>; spec: unknown }, host?: string): ServiceObject {
  const { name, labels, generation, createdAt, ...status } = s;
  const annotations = spec?.annotations && Object.keys(spec.annotations).length > 0 ? { annotations: spec.annotations } : {};
  return {
    apiVersion: 'vai/v1',
    kind: 'Service',
    metadata: { name, labels, ...annotations, generation, creationTimestamp: createdAt, ...(host ? { host } : {}) },
    ...(spec ? { spec: redactJson(spec.spec) } : {}),
    status,
  };
}

export function objectList<T>(items: T[]): ObjectList<T> {
  return { apiVersion: 'vai/v1', kind: 'List', items };
}
