// The Anthropic API key under Electron: encrypted with safeStorage's async API and kept in a file in the
// app's data folder. The key never goes to the renderer; the Studio only reports whether one is set.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SecretStore } from '../core/studio/studio.js';

/** The parts of Electron's safeStorage used here (async API, Electron ≥ 38). */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ shouldReEncrypt: boolean; result: string }>;
  /** Linux only. */
  getSelectedStorageBackend?(): string;
}

export interface SafeSecretStoreOptions {
  readonly safeStorage: SafeStorageLike;
  /** The encrypted key's file, e.g. <userData>/anthropic-api-key.bin */
  readonly file: string;
  readonly platform: NodeJS.Platform;
  readonly env: NodeJS.ProcessEnv;
}

export function createSafeSecretStore(options: SafeSecretStoreOptions): SecretStore {
  const { safeStorage, file, platform, env } = options;
  const envKey = env.ANTHROPIC_API_KEY?.trim() || null;
  // Where encryption is not available at all, a key set in the app lives in memory for this session.
  let memoryKey: string | null = null;
  let problem: string | null = null;

  async function available(): Promise<boolean> {
    try {
      return await safeStorage.isAsyncEncryptionAvailable();
    } catch {
      // Treated as no encryption: the key then lives in memory, and warning() says so.
      return false;
    }
  }

  async function readStored(): Promise<string | null> {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (err) {
      // None saved is the usual case; a saved key that cannot be read is said, not taken for "no key".
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') problem = `The saved API key (${file}) could not be read: ${(err as Error).message}. Check the file's permissions, or set the key again.`;
      return null;
    }
    try {
      const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(bytes);
      problem = null;
      // Re-encrypting is an upgrade of a key that still decrypts: if it fails, the old file serves as before.
      if (shouldReEncrypt) await writeEncrypted(result).catch(() => undefined);
      return result;
    } catch {
      problem = 'The saved API key could not be decrypted (the system keyring may have changed). Set the key again.';
      return null;
    }
  }

  async function writeEncrypted(key: string): Promise<void> {
    const bytes = await safeStorage.encryptStringAsync(key);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, bytes, { mode: 0o600 });
    await rename(tmp, file);
  }

  return {
    fromEnv: envKey !== null,
    async getApiKey() {
      return memoryKey ?? (await readStored()) ?? envKey;
    },
    async setApiKey(key: string) {
      if (await available()) {
        await writeEncrypted(key);
        memoryKey = null;
        problem = null;
      } else {
        memoryKey = key;
      }
    },
    async keySource() {
      if (memoryKey) return 'store';
      if ((await readStored()) !== null) return 'store';
      return envKey !== null ? 'env' : null;
    },
    async clearApiKey() {
      memoryKey = null;
      problem = null;
      await rm(file, { force: true });
    },
    async warning() {
      if (problem) return problem;
      if (memoryKey) return 'This system offers no encrypted storage, so the key is kept in memory until the app quits. Set ANTHROPIC_API_KEY to keep it.';
      if (platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text') {
        return 'No system keyring was found (GNOME Keyring or KWallet), so the saved key is protected only weakly. Unlock a keyring, or use ANTHROPIC_API_KEY instead.';
      }
      return null;
    },
  };
}
