// The Content-Security-Policy of the renderer, in one place: src/main sends it as a header for the
// desktop window, `autoresearch serve` sends it with every response, and src/renderer/index.html carries
// the same text in a meta tag (a unit test keeps the three equal). Nothing remote, no inline scripts.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Header-only directives (a meta tag cannot carry them). */
export const CSP_HEADER_EXTRA = "frame-ancestors 'none'";
