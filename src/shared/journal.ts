// The journal: .autoresearch/runs/<tag>/journal.jsonl, one event a line, append-only, fsync'd.
// It is the source of truth for a run; results.tsv, the UI and the reports are all derived from it.
// The events are declared in journal-events.ts and checked on reading by journal-schema.ts; import either from here.
export * from './journal-events.js';
export * from './journal-schema.js';
