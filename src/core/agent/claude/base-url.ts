// Where the API key is sent. Only the app's own environment (ANTHROPIC_BASE_URL) may change it, never a
// project's config: a cloned config.json could otherwise send the key to anyone. Plain http is refused except
// to this machine (a local gateway, the tests' fake API), where nothing crosses a network.
export const DEFAULT_API_BASE_URL = 'https://api.anthropic.com';

export class BaseUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaseUrlError';
  }
}

const isLoopback = (hostname: string) => hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);

/** The base URL the key goes to, checked; throws BaseUrlError with what to do. */
export function apiBaseUrl(fromEnv: string | null | undefined): { readonly url: string; readonly host: string } {
  const raw = fromEnv?.trim();
  if (!raw) return { url: DEFAULT_API_BASE_URL, host: new URL(DEFAULT_API_BASE_URL).host };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BaseUrlError(`ANTHROPIC_BASE_URL (${raw.slice(0, 200)}) is not a URL. Set it to a full URL such as https://gateway.example.com, or unset it.`);
  }
  if (url.username || url.password) throw new BaseUrlError('ANTHROPIC_BASE_URL must not contain a user name or password. Remove them from the URL.');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new BaseUrlError(`ANTHROPIC_BASE_URL (${url.origin}) must use https: the API key would cross the network in the clear. Plain http is allowed only to localhost.`);
  }
  return { url: url.toString().replace(/\/+$/, ''), host: url.host };
}
