// What status.json says of the git source (pull mode); absent in directory mode.
export interface SourceStatus {
  /** The remote, without credentials or query. */
  url: string;
  ref: string;
  path: string;
  /** Only signed commits apply (--git-verify). */
  verify: boolean;
  suspended: boolean;
  lastFetchAt: string | null;
  lastFetchError: string | null;
  /** When fetches began failing (null while they work). */
  fetchFailingSince: string | null;
  fetchedRevision: string | null;
  appliedRevision: string | null;
  appliedAt: string | null;
  /** The last commit vaid tried to apply; differs from appliedRevision when it was refused. */
  attemptedRevision: string | null;
  attemptErrors: string[];
}
