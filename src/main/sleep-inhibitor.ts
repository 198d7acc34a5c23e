// Keeps the machine from suspending while experiments run (counted, so nested acquires are safe).
import type { SleepInhibitor } from '../core/studio/studio.js';

export interface PowerSaveBlockerLike {
  start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number;
  stop(id: number): boolean;
  isStarted(id: number): boolean;
}

export function createSleepInhibitor(blocker: PowerSaveBlockerLike): SleepInhibitor & { readonly held: () => boolean } {
  let count = 0;
  let id: number | null = null;
  return {
    acquire() {
      count += 1;
      if (id === null || !blocker.isStarted(id)) id = blocker.start('prevent-app-suspension');
    },
    release() {
      if (count === 0) return;
      count -= 1;
      if (count === 0 && id !== null) {
        blocker.stop(id);
        id = null;
      }
    },
    held: () => id !== null,
  };
}
