/**
 * The small HTML pages the proxy answers with when it cannot pass a response through. The
 * visitor gets a status and generic text; the cause goes to the log only.
 *
 * @module
 */

const TEXT: Record<number, [string, string]> = {
  413: [
    "Request too large",
    "The request body is larger than this site accepts.",
  ],
  502: [
    "Bad gateway",
    "The site cannot be reached right now. Please try again in a moment.",
  ],
  504: [
    "Gateway timeout",
    "The site took too long to answer. Please try again in a moment.",
  ],
};

/**
 * Renders a self-contained error page (no scripts, no external assets, never cached).
 *
 * @param status 413, 502 or 504
 */
export function errorPage(status: 413 | 502 | 504): Response {
  const [title, text] = TEXT[status];
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${status} ${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}</style>
</head><body><h1>${title}</h1><p>${text}</p><p><small>Error ${status}</small></p></body></html>
`;
  return new Response(html, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
    },
  });
}
