// The command table: each command's one-line summary for `autoresearch --help`, and its module, loaded only when
// that command runs (a `status` must not pay for loading the loop, the server and the report writer).
import type { CliIo } from '../io.js';

export interface Command {
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

export interface CommandEntry {
  readonly summary: string;
  load(): Promise<Command>;
}

export const commands: Record<string, CommandEntry> = {
  init: { summary: 'set up a project: write .autoresearch/config.json and program.md', load: async () => (await import('./init.js')).initCommand },
  demo: { summary: 'copy the demo project into a folder, ready to run', load: async () => (await import('./demo.js')).demoCommand },
  run: { summary: 'run the loop (or resume a run with --tag)', load: async () => (await import('./run.js')).runCommand },
  status: { summary: "show the project's runs: best, counts, spend, what runs now", load: async () => (await import('./status.js')).statusCommand },
  steer: { summary: 'add a steering note that the next proposals see', load: async () => (await import('./steer.js')).steerCommand },
  approve: { summary: 'list the proposals waiting for approval, and approve, edit or reject them', load: async () => (await import('./approve.js')).approveCommand },
  report: { summary: 'write a run\'s report (offline HTML or Markdown), or one from any results.tsv', load: async () => (await import('./report.js')).reportCommand },
  audit: { summary: 're-run the baseline and the best, interleaved, and report the improvement with a 95 % interval', load: async () => (await import('./audit.js')).auditCommand },
  ablate: { summary: 'find which kept changes carry the result: the best without each one, paired-seed runs, an interval each', load: async () => (await import('./ablate.js')).ablateCommand },
  finalize: { summary: 'turn a run\'s kept improvements into a clean branch and a .patch file', load: async () => (await import('./finalize.js')).finalizeCommand },
  trust: { summary: "show a project's commands and trust them (nothing from a project runs until you do)", load: async () => (await import('./trust.js')).trustCommand },
  settings: { summary: "the app's own settings: a webhook for run notifications", load: async () => (await import('./settings.js')).settingsCommand },
  serve: { summary: 'the app in a browser: UI and Api on 127.0.0.1 behind a token (headless GPU boxes)', load: async () => (await import('./serve.js')).serveCommand },
};
