// The state-dir lock lives in status/state-dir/lock.ts (flock held for the holder's life).
// isVaiProcess (vaictl's "is vaid running" wording, never the lock's decision) is the status reader's.

export { acquireLock, lockHolder, lockIsHeld, type Lock } from '../../status/state-dir/lock.js';

export { isVaiProcess } from '../../status/reader.js';
