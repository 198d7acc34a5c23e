// What a project would make the app run, as the trust panel and `autoresearch trust` show it (core/project/trust.ts).
// A project folder may come from anyone: nothing it names runs until the user has seen this list and approved it.

export interface TrustItem {
  /** Where it comes from: a config key (run.command, slots[0].env) or a git config key (filter.evil.clean). */
  readonly key: string;
  /** What it is, in words: "runs each experiment", "a git filter program". */
  readonly what: string;
  /** The exact text that was hashed (a command, or JSON for env and sections). */
  readonly text: string;
  /** True for git config the app switches off in its own git commands (still approved: git would run it for you). */
  readonly switchedOff: boolean;
  /** True when it differs from (or is absent in) what was approved last. */
  readonly changed: boolean;
}

export interface TrustReport {
  /** The project's real path (the record is kept per real path). */
  readonly dir: string;
  /** trusted: approved as it is now; untrusted: never approved; changed: approved once, then something changed. */
  readonly state: 'trusted' | 'untrusted' | 'changed';
  /** SHA-256 of the items' exact text; approving names it, so what is approved is what was shown. */
  readonly hash: string;
  readonly items: readonly TrustItem[];
  /** ISO time of the approval in force (or of the one that no longer matches); null: never approved. */
  readonly approvedAt: string | null;
}
