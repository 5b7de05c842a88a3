// The phases a service can be in, as data the metrics and printers list (schema.ts builds the
// schema's union from it): a module of its own so a reader of phases loads no schema builder.
export const PHASES = ['Healthy', 'Recovering', 'WaitingForDependency', 'Degraded', 'CrashLoopBackOff', 'Stopped', 'Disabled', 'Unknown'] as const;
