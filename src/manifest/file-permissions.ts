// Who may change what vaid runs as root: like cron and sshd's StrictModes, a manifest file or
// directory must not be writable by group or others, and must belong to root or to the user
// vaid runs as. Otherwise anyone who can write it could make vaid run their command.
import type { Stats } from 'node:fs';

export function unsafeReason(st: Pick<Stats, 'mode' | 'uid'>, ownUid: number = process.getuid?.() ?? 0): string | undefined {
  const writable = st.mode & 0o022;
  if (writable) {
    const who = writable === 0o022 ? 'group and others' : writable & 0o020 ? 'group' : 'others';
    const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
    return `is writable by ${who} (mode ${mode})`;
  }
  if (st.uid !== 0 && st.uid !== ownUid) return `is owned by uid ${st.uid}, neither root nor the user vaid runs as (uid ${ownUid})`;
  return undefined;
}
