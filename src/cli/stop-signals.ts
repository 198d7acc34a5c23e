// Ctrl+C (SIGINT) and a supervisor's SIGTERM cancel a long command that runs the trainer (audit, ablate): the
// command gets an AbortSignal for the run's length, and the handlers are gone again when it ends, so a later
// signal reaches the process's default handling.
export async function withStopSignals<T>(job: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await job(abort.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
