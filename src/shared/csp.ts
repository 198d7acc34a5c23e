// The Content-Security-Policy of the renderer, in one place: src/main sends it as a header for the
// desktop window, `autoresearch serve` sends it with every response, and src/renderer/index.html carries
// the same text in a meta tag (a unit test keeps the three equal). Nothing remote, no inline scripts.
// connect-src is 'self' only: the desktop window connects nowhere (IPC is not a connection), and serve's
// page reaches its WebSocket at its own host and port, which 'self' covers (CSP 3 matches ws: to an http:
// origin). Listing ws://127.0.0.1:* would let a page in the window talk to any local server.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Header-only directives (a meta tag cannot carry them). */
export const CSP_HEADER_EXTRA = "frame-ancestors 'none'";
