// The secret store of `autoresearch serve` and tests: the environment's ANTHROPIC_API_KEY, or a key set
// through the Api that lives in memory for this process only (never written to disk).
import type { SecretStore } from './studio.js';

export function createEnvSecretStore(env: NodeJS.ProcessEnv = process.env): SecretStore {
  let memory: string | null = null;
  const fromEnv = env.ANTHROPIC_API_KEY?.trim() || null;
  return {
    fromEnv: fromEnv !== null,
    async getApiKey() {
      return memory ?? fromEnv;
    },
    async setApiKey(key) {
      memory = key;
    },
    async clearApiKey() {
      memory = null;
    },
    async keySource() {
      return memory !== null ? 'store' : fromEnv !== null ? 'env' : null;
    },
    async warning() {
      return memory !== null ? 'The key is kept in memory only, until this server stops (autoresearch serve has no keyring). Set ANTHROPIC_API_KEY to keep it.' : null;
    },
  };
}
