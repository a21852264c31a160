// HTTP headers for the renderer: a strict Content-Security-Policy, plus cross-origin isolation
// (COOP/COEP) so the page may use SharedArrayBuffer when later panes share memory with it.

export function contentSecurityPolicy(websocketOrigins: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // xterm.js and Svelte transitions set inline style attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    ["connect-src 'self'", ...websocketOrigins].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

export function rendererHeaders(websocketOrigins: readonly string[]): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(websocketOrigins),
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  }
}
