// Read-only all the way down, by type: what a store has recorded is shared (the JSON cache, the
// change events, the page) and must not be edited in place; a new state is a copy.
export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends ReadonlyArray<infer E>
    ? ReadonlyArray<DeepReadonly<E>>
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;
