// Builds the proposer a run asked for. The host decides where secrets come from: the CLI passes
// ANTHROPIC_API_KEY, the desktop app its secret store.
import type { ProjectConfig } from '../../shared/config.js';
import { apiBaseUrl } from './claude/base-url.js';
import { createClaudeProposer } from './claude/claude-proposer.js';
import { createCommandProposer } from './command-proposer.js';
import { createMutationProposer } from './mutation/mutation-proposer.js';
import type { Proposer } from './proposer.js';

export class ProposerSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProposerSetupError';
  }
}

export interface ProposerSources {
  readonly apiKey: string | null;
  /** ANTHROPIC_BASE_URL of the app's environment: the only place the API's address comes from (never a project's config). */
  readonly baseUrl?: string | null;
  readonly env: NodeJS.ProcessEnv;
  /** Where to tell the user to put the key, e.g. "set ANTHROPIC_API_KEY" or "Setup → Agent". */
  readonly keyHint: string;
}

export function createProposer(name: 'mutation' | 'claude' | 'command', config: ProjectConfig, sources: ProposerSources): Proposer {
  switch (name) {
    case 'mutation':
      return createMutationProposer();
    case 'claude': {
      if (!sources.apiKey) {
        throw new ProposerSetupError(`The claude proposer needs an Anthropic API key: ${sources.keyHint}. Or use --proposer mutation (offline).`);
      }
      let baseUrl: string;
      try {
        baseUrl = apiBaseUrl(sources.baseUrl).url;
      } catch (err) {
        throw new ProposerSetupError((err as Error).message);
      }
      return createClaudeProposer({ apiKey: sources.apiKey, baseUrl });
    }
    case 'command': {
      if (!config.agent.command) {
        throw new ProposerSetupError('The command proposer needs agent.command in the config (e.g. "claude -p"). Set it in the setup form or config.json.');
      }
      return createCommandProposer({ env: sources.env });
    }
  }
}
