// Where the openai-compatible proposer sends the project's code. Never from the project's config.json (a
// cloned repository could send its own code, and the prompt, anywhere): only from the host (environment or
// the app's settings), and https unless the server is on this machine.

export class BaseUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaseUrlError';
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** The checked base URL without a trailing slash, e.g. http://127.0.0.1:11434/v1. */
export function checkedBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new BaseUrlError(`OPENAI_BASE_URL "${raw}" is not a URL. Use the server's address with /v1, e.g. http://127.0.0.1:11434/v1 for Ollama.`);
  }
  const loopback = LOOPBACK.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new BaseUrlError(`OPENAI_BASE_URL must use https (plain http is allowed only for a server on this machine: localhost or 127.0.0.1); got ${url.protocol}//${url.host}.`);
  }
  if (url.username || url.password) throw new BaseUrlError('OPENAI_BASE_URL must not hold a user name or password; put the key in OPENAI_API_KEY.');
  return url.href.replace(/\/+$/, '');
}
