import { strict as assert } from "node:assert";
import { rewriteMetaCsp } from "./_meta.ts";
import { injectStream } from "./inject_stream.ts";

const enc = new TextEncoder();
const widen = (policy: string) => policy + " 'nonce-N'";

Deno.test("rewriteMetaCsp() rewrites only a CSP meta, decoding and re-encoding its content", async (t) => {
  const cases: Array<[string, string | null]> = [
    [
      `<meta http-equiv="Content-Security-Policy" content="script-src 'none'">`,
      `<meta http-equiv="Content-Security-Policy" content="script-src 'none' 'nonce-N'">`,
    ],
    [
      `<META HTTP-EQUIV=content-security-policy CONTENT='script-src &apos;self&apos;'/>`,
      `<META HTTP-EQUIV=content-security-policy content="script-src 'self' 'nonce-N'"/>`,
    ],
    [`<meta charset="utf-8">`, null],
    [`<meta http-equiv="refresh" content="5">`, null],
    [`<meta http-equiv="Content-Security-Policy">`, null],
  ];
  for (const [tag, expected] of cases) {
    await t.step(tag, () => assert.equal(rewriteMetaCsp(tag, widen), expected));
  }
});

Deno.test("injectStream() rewrites a CSP meta split at every byte and tags after it", async () => {
  const page =
    `<html><head><meta http-equiv="Content-Security-Policy" content="script-src 'none'"><template><meta http-equiv="Content-Security-Policy" content="x"></template></head><body></body></html>`;
  const expected = page
    .replace(
      `content="script-src 'none'"`,
      `content="script-src 'none' 'nonce-N'"`,
    )
    .replace("</head>", "<T></head>");
  const bytes = enc.encode(page);
  for (let cut = 1; cut < bytes.length; cut++) {
    const source = ReadableStream.from([bytes.slice(0, cut), bytes.slice(cut)]);
    const out = injectStream(source, {
      tag: () => enc.encode("<T>"),
      meta: (startTag) => rewriteMetaCsp(startTag, widen),
    });
    assert.equal(await new Response(out).text(), expected, `cut at ${cut}`);
  }
});
