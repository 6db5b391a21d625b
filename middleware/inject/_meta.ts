/**
 * The CSP a page declares in `<meta http-equiv="Content-Security-Policy" content="…">`: browsers
 * enforce it beside the header's, on everything after the element, so the collector's tag (which
 * comes later, at `</head>`) and its posts need it widened as the header is (csp.ts).
 *
 * @module
 */

/** One attribute of a start tag: name, value (raw, undecoded) and where it is in the tag. */
type Attribute = { name: string; value: string; start: number; end: number };

const ATTRIBUTE =
  /[\s/]+([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

function attributes(tag: string): Attribute[] {
  const out: Attribute[] = [];
  const open = tag.match(/^<[A-Za-z]+/)?.[0].length ?? 0;
  ATTRIBUTE.lastIndex = open;
  for (let m = ATTRIBUTE.exec(tag); m !== null; m = ATTRIBUTE.exec(tag)) {
    out.push({
      name: m[1].toLowerCase(),
      value: m[2] ?? m[3] ?? m[4] ?? "",
      start: m.index,
      end: m.index + m[0].length,
    });
  }
  return out;
}

const NAMED: Record<string, string> = {
  amp: "&",
  quot: '"',
  apos: "'",
  lt: "<",
  gt: ">",
  nbsp: "\u00a0",
};

/** Decodes the character references a CSP value may carry (named basics and numeric). */
function decodeEntities(text: string): string {
  return text.replace(
    /&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi,
    (whole, ref: string) => {
      if (ref[0] !== "#") return NAMED[ref.toLowerCase()] ?? whole;
      const code = ref[1] === "x" || ref[1] === "X"
        ? parseInt(ref.slice(2), 16)
        : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    },
  );
}

/**
 * Rewrites a `<meta>` start tag's CSP with `widen`; null when the tag is not a CSP meta or the
 * policy needs nothing.
 *
 * @param tag the whole start tag text, `<meta …>`
 * @param widen the header widening (csp.ts `widenCsp` with the response's nonce)
 */
export function rewriteMetaCsp(
  tag: string,
  widen: (policy: string) => string,
): string | null {
  const attrs = attributes(tag);
  const equiv = attrs.find((a) => a.name === "http-equiv");
  if (
    equiv === undefined ||
    decodeEntities(equiv.value).trim().toLowerCase() !==
      "content-security-policy"
  ) return null;
  const content = attrs.find((a) => a.name === "content");
  if (content === undefined) return null;
  const policy = decodeEntities(content.value);
  const widened = widen(policy);
  if (widened === policy) return null;
  const encoded = widened.replaceAll("&", "&amp;").replaceAll('"', "&quot;");
  return tag.slice(0, content.start) + ` content="${encoded}"` +
    tag.slice(content.end);
}
