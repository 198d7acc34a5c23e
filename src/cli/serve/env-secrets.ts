// The API key under `autoresearch serve`: there is no OS keyring to lean on, so the key comes from
// ANTHROPIC_API_KEY, or is held in memory for this session when set from the page (never written down).
import type { SecretStore } from '../../core/studio/studio.js';

export function envSecretStore(env: NodeJS.ProcessEnv): SecretStore {
  const fromEnv = Boolean(env.ANTHROPIC_API_KEY?.trim());
  let sessionKey: string | null = null;
  return {
    fromEnv,
    async getApiKey() {
      return sessionKey ?? (env.ANTHROPIC_API_KEY?.trim() || null);
    },
    async setApiKey(key: string) {
      sessionKey = key;
    },
    async clearApiKey() {
      sessionKey = null;
    },
    async warning() {
      if (sessionKey) return 'Under `autoresearch serve` a key set here lives in memory until the server stops. Set ANTHROPIC_API_KEY to keep it.';
      return null;
    },
  };
}
