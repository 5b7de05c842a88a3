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

/** A refused commit or a fetch failing too long: what source-alert.ts (notify/) tells a person. */
export interface SourceProblem {
  /** `commit:SHA` or `fetch:SINCE`: one alert per key. */
  key: string;
  reason: 'CommitRejected' | 'SignatureRejected' | 'FetchFailed';
  /** One line: what happened and what stays applied. */
  message: string;
  /** The manifest errors or git's words, a few lines. */
  evidence: string[];
}
