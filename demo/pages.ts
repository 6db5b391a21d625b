/**
 * The demo site's HTML: plain, self-contained pages (inline CSS only, no scripts, no external
 * assets), with enough text inputs and scrollable content for the collector to measure.
 *
 * @module
 */

const STYLE =
  `body{font:17px/1.6 Georgia,serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}
nav a{margin-right:1rem}form p{margin:.6rem 0}input,textarea{font:inherit;padding:.3rem;width:100%;box-sizing:border-box}
button{font:inherit;padding:.4rem 1.2rem}.error{color:#a00}`;

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Wraps a body in the common layout; `user` is shown in the navigation when logged in. */
export function layout(
  title: string,
  user: string | null,
  body: string,
): string {
  const nav = user === null
    ? `<a href="/">Home</a><a href="/article">Article</a><a href="/profile">Profile</a><a href="/login">Log in</a>`
    : `<a href="/">Home</a><a href="/article">Article</a><a href="/profile">Profile</a><a href="/logout">Log out (${
      escapeHtml(user)
    })</a>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Demo shop</title>
<style>${STYLE}</style>
</head>
<body>
<nav>${nav}</nav>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}

/** The public home page. */
export function homePage(user: string | null): string {
  return layout(
    "Welcome",
    user,
    `<p>This is the demo site the guard protects when no <code>UPSTREAM_URL</code> is set.
Log in with any user name and the password <strong>demo</strong>, then read the article and edit
your profile: the guard watches how the pages are used, never what is typed.</p>
<ul><li><a href="/article">A long article</a> (login required)</li>
<li><a href="/profile">Your profile</a> (login required)</li></ul>`,
  );
}

/** The login form, with an optional error and the page to return to. */
export function loginPage(next: string, error: string | null): string {
  const message = error === null
    ? ""
    : `<p class="error">${escapeHtml(error)}</p>`;
  return layout(
    "Log in",
    null,
    `${message}<form method="post" action="/login">
<input type="hidden" name="next" value="${escapeHtml(next)}">
<p><label>User name<br><input name="username" autocomplete="username" required></label></p>
<p><label>Password<br><input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">Log in</button></p>
</form><p><small>Password: <code>demo</code></small></p>`,
  );
}

const PARAGRAPHS = [
  "Reverse proxies have sat in front of web applications for decades, caching, compressing and terminating TLS.",
  "A behavioural guard adds one more job: watching how a page is used, not what is typed, and telling a person from a script.",
  "People move the pointer in curves, overshoot and correct, pause to read, and scroll in uneven bursts.",
  "Scripts tend to move in straight lines at constant speed, click dead centre, and type with machine-regular rhythm.",
  "None of this needs the content of a key press: the timing between presses is enough to see the rhythm.",
  "The collector sums a few seconds of events into a small feature vector and sends only that vector.",
];

/** A long, scrollable article with a comment box. */
export function articlePage(user: string): string {
  const sections: string[] = [];
  for (let i = 0; i < 12; i++) {
    sections.push(`<h2>Part ${i + 1}</h2>`);
    for (let j = 0; j < PARAGRAPHS.length; j++) {
      sections.push(`<p>${PARAGRAPHS[(i + j) % PARAGRAPHS.length]}</p>`);
    }
  }
  return layout(
    "On telling people from scripts",
    user,
    `${sections.join("\n")}
<h2>Leave a comment</h2>
<form method="post" action="/article"><p><textarea name="comment" rows="4"></textarea></p>
<p><button type="submit">Send</button></p></form>`,
  );
}

/** The profile form. */
export function profilePage(
  user: string,
  profile: Record<string, string>,
  saved: boolean,
): string {
  const field = (name: string, label: string) =>
    `<p><label>${label}<br><input name="${name}" value="${
      escapeHtml(profile[name] ?? "")
    }"></label></p>`;
  return layout(
    "Your profile",
    user,
    `${saved ? '<p class="saved">Saved.</p>' : ""}
<form method="post" action="/profile">
${field("name", "Full name")}${field("email", "E-mail")}${field("city", "City")}
<p><label>About you<br><textarea name="about" rows="5">${
      escapeHtml(profile.about ?? "")
    }</textarea></label></p>
<p><button type="submit">Save</button></p></form>`,
  );
}

/** The not-found page. */
export function notFoundPage(user: string | null): string {
  return layout(
    "Not found",
    user,
    `<p>There is no such page. <a href="/">Home</a></p>`,
  );
}
