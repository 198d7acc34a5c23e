// Live output reaches the UI in batches (at most `perSecond` per experiment), never line by line, and a
// flood is cut to its most recent part: the UI shows a tail, the full output is in the log file.
export interface LogBatcher {
  push(text: string): void;
  /** Send what is pending now (at the end of an experiment). */
  flush(): void;
  dispose(): void;
}

export function createLogBatcher(emit: (text: string) => void, opts: { perSecond?: number; maxBatchChars?: number } = {}): LogBatcher {
  const interval = 1000 / (opts.perSecond ?? 4);
  const maxChars = opts.maxBatchChars ?? 64 * 1024;
  let pending = '';
  let timer: NodeJS.Timeout | null = null;
  let lastSent = 0;

  const send = () => {
    timer = null;
    if (!pending) return;
    const text = pending;
    pending = '';
    lastSent = Date.now();
    emit(text);
  };

  return {
    push(text) {
      pending += text;
      if (pending.length > maxChars) pending = pending.slice(pending.length - maxChars);
      if (timer) return;
      const wait = Math.max(0, lastSent + interval - Date.now());
      timer = setTimeout(send, wait);
    },
    flush() {
      if (timer) clearTimeout(timer);
      send();
    },
    dispose() {
      if (timer) clearTimeout(timer);
      timer = null;
      pending = '';
    },
  };
}
