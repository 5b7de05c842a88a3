// The log vai's parts write to: the subset of pino's logger they use, so a part never depends on
// pino itself (the simulation passes a silent one).

export interface Log {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };
