// The layout is the state dir's: see status/state-dir/layout.ts.
export * from '../status/state-dir/layout.js';
