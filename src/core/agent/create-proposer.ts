// Builds the proposer a run asked for. The host decides where secrets come from: the CLI passes
// ANTHROPIC_API_KEY, the desktop app its secret store.
import { registerSecret } from '../util/redact.js';
import type { ProjectConfig } from '../../shared/config.js';
import { apiBaseUrl } from './claude/base-url.js';
import { createClaudeProposer } from './claude/claude-proposer.js';
import { createCommandProposer } from './command-proposer.js';
import { createMutationProposer } from './mutation/mutation-proposer.js';
import { checkedBaseUrl } from './openai/base-url.js';
import { createOpenAiProposer } from './openai/openai-proposer.js';
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

export function createProposer(name: 'mutation' | 'claude' | 'command' | 'openai-compatible', config: ProjectConfig, sources: ProposerSources): Proposer {
  // A key from the keychain is not in the environment the redactor reads: it is named to it here.
  registerSecret('ANTHROPIC_API_KEY', sources.apiKey);
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
    case 'openai-compatible': {
      // The address comes from the host only (environment, or the app's settings through env), never from
      // the project's config.json: a cloned project must not be able to send its code and prompt elsewhere.
      const raw = sources.env.OPENAI_BASE_URL?.trim();
      if (!raw) {
        throw new ProposerSetupError(
          'The openai-compatible proposer needs the server\'s address in OPENAI_BASE_URL, e.g. OPENAI_BASE_URL=http://127.0.0.1:11434/v1 for Ollama (OPENAI_API_KEY too if the server wants a key), and the model name in agent.model.',
        );
      }
      let baseUrl: string;
      try {
        baseUrl = checkedBaseUrl(raw);
      } catch (err) {
        throw new ProposerSetupError((err as Error).message);
      }
      return createOpenAiProposer({ baseUrl, apiKey: sources.env.OPENAI_API_KEY ?? null });
    }
  }
}
