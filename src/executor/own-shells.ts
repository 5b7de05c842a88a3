// The shells vai itself is running right now (commands and custom checks). A process check must
// not count them: `bash -c "pkill -f minio; minio server &"` carries the very text it looks for.

const live = new Set<number>();

export function addOwnShell(pid: number): void {
  live.add(pid);
}

export function removeOwnShell(pid: number): void {
  live.delete(pid);
}

export function isOwnShell(pid: number): boolean {
  return live.has(pid);
}
