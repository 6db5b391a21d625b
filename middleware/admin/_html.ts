/**
 * Plain HTML views of the admin area, every value escaped. No page carries ADMIN_TOKEN, and no
 * link a credential: pages authenticate by the admin session cookie. Pages of a logged-in admin
 * carry the session's CSRF token in `<meta name="guard-csrf">` (for scripts' `X-CSRF-Token`) and
 * in the logout form.
 */
const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML content and quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}

/** What a logged-in admin's page carries: the CSRF token and the admin base path. */
export type AdminPageContext = { csrf: string; base: string };

const page = (title: string, body: string, ctx?: AdminPageContext) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8">${
    ctx === undefined
      ? ""
      : `<meta name="guard-csrf" content="${escapeHtml(ctx.csrf)}">`
  }<title>${
    escapeHtml(title)
  }</title><style>body{font:14px system-ui;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}pre{background:#f6f6f6;padding:1em;overflow:auto}</style></head><body>${
    ctx === undefined ? "" : logoutForm(ctx)
  }${body}</body></html>`;

/** The logout button: a form post carrying the CSRF token. */
function logoutForm(ctx: AdminPageContext): string {
  return `<form method="post" action="${
    escapeHtml(ctx.base)
  }/logout" style="float:right"><input type="hidden" name="csrf" value="${
    escapeHtml(ctx.csrf)
  }"><button>Log out</button></form>`;
}

/** The login form; it posts the token in the body, never in the URL. */
export function renderLoginHtml(
  options: { next: string; error?: string },
): string {
  return page(
    "Guard admin login",
    `<h1>Guard admin</h1>${
      options.error
        ? `<p role="alert"><b>${escapeHtml(options.error)}</b></p>`
        : ""
    }<form method="post" action="login"><label>Admin token <input type="password" name="token" autocomplete="current-password" required autofocus></label><input type="hidden" name="next" value="${
      escapeHtml(options.next)
    }"> <button>Log in</button></form>`,
  );
}
