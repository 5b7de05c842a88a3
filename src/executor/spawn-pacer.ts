// How many shells vaid forks per turn of the event loop. Node's spawn forks vaid synchronously,
// 2–6 ms each under load at vaid's size; when 1,000 services failed at once, hundreds of
// restarts resumed in one turn (after the write-ahead they share) and forked back to back,
// holding the loop, and /healthz and every check's timer with it, for over a second. At most
// SPAWNS_PER_TURN start before the loop polls for I/O again; the rest wait their turn in order.

export const SPAWNS_PER_TURN = 8;

let used = 0;
let armed = false;
const waiting: Array<() => void> = [];

/** undefined: spawn now; a promise: spawn once it resolves (a later turn). */
export function spawnTurn(): Promise<void> | undefined {
  arm();
  if (used < SPAWNS_PER_TURN && waiting.length === 0) {
    used++;
    return undefined;
  }
  return new Promise((resolve) => waiting.push(resolve));
}

// An immediate queued from an immediate runs in the next turn, after its poll phase: one
// release per turn.
function arm(): void {
  if (armed) return;
  armed = true;
  setImmediate(() => {
    armed = false;
    used = 0;
    while (used < SPAWNS_PER_TURN && waiting.length > 0) {
      used++;
      waiting.shift()?.();
    }
    if (used > 0) arm();
  });
}
