// Which pages may call the Api: only the app's own page, in the top frame. Everything else (a page the
// window was somehow navigated to, an iframe) is refused, whatever it sends.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the app's page comes from: the built file, or electron-vite's dev server. */
export type AppPage = { readonly kind: 'file'; readonly indexPath: string } | { readonly kind: 'dev'; readonly url: string };

export function isAppPageUrl(url: string | null | undefined, page: AppPage): boolean {
  if (!url) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (page.kind === 'dev') {
    try {
      return parsed.origin === new URL(page.url).origin && parsed.origin !== 'null';
    } catch {
      return false;
    }
  }
  if (parsed.protocol !== 'file:' || (parsed.host !== '' && parsed.host !== 'localhost')) return false;
  // The hash is the route and the query is unused: compare the file itself.
  parsed.hash = '';
  parsed.search = '';
  try {
    return path.resolve(fileURLToPath(parsed)) === path.resolve(page.indexPath);
  } catch {
    return false;
  }
}

/** The parts of Electron's IpcMainInvokeEvent the check reads. */
export interface InvokeEventLike {
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
  readonly sender?: unknown;
}

/**
 * A call is trusted when it comes from the top frame of one of our windows showing the app's page.
 * `ownsSender` says whether the webContents is one the app created (no stray webviews).
 */
export function isTrustedSender(event: InvokeEventLike, page: AppPage, ownsSender: (sender: unknown) => boolean = () => true): boolean {
  const frame = event.senderFrame;
  if (!frame) return false; // the frame navigated away or was destroyed while the call was in flight
  if (frame.parent !== null && frame.parent !== undefined) return false;
  if (!ownsSender(event.sender)) return false;
  return isAppPageUrl(frame.url, page);
}
