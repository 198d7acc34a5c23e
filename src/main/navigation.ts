// The window never navigates away from the app's page and never opens new windows. Web links from the
// UI (docs, a model's page) open in the user's browser, and only plain http(s) ones.
import { isAppPageUrl, type AppPage } from './sender.js';

export function mayNavigate(url: string, page: AppPage): boolean {
  return isAppPageUrl(url, page);
}

/** The URL to hand to the system browser, or null when it is not a plain web link. */
export function externalUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  // Credentials in a link are a phishing trick, never something the app produces.
  if (parsed.username || parsed.password) return null;
  return parsed.toString();
}
