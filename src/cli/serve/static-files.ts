// Serves the built renderer (out/renderer) read-only: known MIME types, no directory listings, nothing
// outside the folder (no `..`, no encoded tricks, no symbolic links pointing out).
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function mimeType(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export type ResolvedFile =
  | { readonly ok: true; readonly file: string; readonly size: number; readonly type: string }
  | { readonly ok: false; readonly status: 400 | 404; readonly message: string };

/** Map a URL pathname to a file under root, or say why not. `/` is index.html. */
export async function resolveStatic(root: string, pathname: string): Promise<ResolvedFile> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { ok: false, status: 400, message: 'Bad URL encoding' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { ok: false, status: 400, message: 'Bad path' };
  const rel = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const segments = rel.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return { ok: false, status: 404, message: 'Not found' };
  // A root that cannot be resolved is used as given: every file under it then fails the check below (404).
  const absRoot = await realpath(root).catch(() => path.resolve(root));
  const candidate = path.resolve(absRoot, rel);
  if (!isInside(absRoot, candidate)) return { ok: false, status: 404, message: 'Not found' };
  try {
    const real = await realpath(candidate);
    if (!isInside(absRoot, real)) return { ok: false, status: 404, message: 'Not found' };
    const st = await stat(real);
    // A directory gets no listing and no implicit index: only the root maps to index.html.
    if (!st.isFile()) return { ok: false, status: 404, message: 'Not found' };
    return { ok: true, file: real, size: st.size, type: mimeType(real) };
  } catch {
    return { ok: false, status: 404, message: 'Not found' };
  }
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

export function openStatic(file: string) {
  return createReadStream(file);
}
