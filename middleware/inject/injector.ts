/**
 * A streaming byte-level HTML scanner that inserts one tag at the first fitting point.
 *
 * Insertion point, first match wins, in document order (the stream is never buffered, so a point
 * already passed cannot be revisited): before `</head>`; right after the `<body…>` start tag (the
 * head is then implicitly closed); before `</body>` or `</html>` (start tags omitted); else at the
 * end. Markup inside comments, `<!DOCTYPE>`/`<?…>`, attribute values, and the raw-text elements
 * (`script`, `style`, `title`, `textarea`, `xmp`, `iframe`, `noembed`, `noframes`, and `noscript`,
 * raw text whenever scripting is on) is skipped, so a fake `</head>` there is ignored; inside
 * `<template>` (nested too) `</head>`, `<body>` and the end tags are a fragment's, never the
 * document's. The tag goes before a `<plaintext>`, after which everything is text. Tag names are
 * ASCII-case-insensitive and may be split across chunks: a possible tag start (at most a few
 * bytes) is carried to the next chunk. A `<meta>` start tag outside templates is held back whole
 * (up to 8 KiB, then passed on unread) and handed to the caller's rewriter (a CSP in `<meta>`).
 *
 * The stream wrappers (TransformStream, pull-based stream, whole buffer) are in inject_stream.ts.
 *
 * Known simplification: the HTML "script data escaped" states (`<!--<script>` inside a script) are
 * not modelled; `</script` always ends a script here, as it does in every real page we saw.
 *
 * @module
 */
import {
  BANG,
  DASH,
  findTagEnd,
  GT,
  isAlpha,
  isSpace,
  lower,
  LT,
  MAX_NAME,
  META_MAX,
  QMARK,
  RAW_TEXT,
  type Scan,
  scanComment,
  scanInTag,
  scanRaw,
  skipTo,
  SLASH,
  State,
} from "./_states.ts";

const DECODER = new TextDecoder();
const ENCODER = new TextEncoder();

export type Emit = (chunk: Uint8Array) => void;

/** A push-style scanner: `push` each input chunk, then `end` once. */
export type Scanner = {
  push(chunk: Uint8Array, emit: Emit): void;
  end(emit: Emit): void;
};

/**
 * What to insert: the tag's bytes, or a builder called once when the tag is inserted, with an
 * optional rewriter of `<meta>` start tags (the CSP a page declares in `<meta http-equiv>`).
 */
export type TagSource = Uint8Array | {
  tag: () => Uint8Array;
  /** Gets a whole `<meta …>` start tag; returns its replacement, or null to keep it. */
  meta?: (startTag: string) => string | null;
};

/**
 * Creates the push-style scanner that inserts `tag` once (see the module doc for where).
 *
 * @param tag the bytes to insert, or their builder and a meta rewriter
 */
export function createScanner(tag: TagSource): Scanner {
  const scan: Scan = {
    state: State.Data,
    quote: 0,
    afterTag: false,
    rawEnd: null,
    rawMatched: 0,
    dashes: 0,
    carry: null,
    templates: 0,
    metaEnd: 0,
    tag: tag instanceof Uint8Array ? () => tag : tag.tag,
    meta: tag instanceof Uint8Array ? null : tag.meta ?? null,
  };
  return {
    push(chunk, emit) {
      if (scan.state === State.Done) return emit(chunk);
      let buf = chunk;
      if (scan.carry !== null) {
        buf = new Uint8Array(scan.carry.length + chunk.length);
        buf.set(scan.carry);
        buf.set(chunk, scan.carry.length);
        scan.carry = null;
      }
      scanChunk(scan, buf, emit);
    },
    end(emit) {
      if (scan.carry !== null) emit(scan.carry);
      if (scan.state !== State.Done) emit(scan.tag());
    },
  };
}

/** Scans one chunk, enqueuing its bytes (and the tag, once) in order. */
function scanChunk(
  scan: Scan,
  buf: Uint8Array,
  emit: Emit,
): void {
  let i = 0;
  let emitted = 0;
  const n = buf.length;
  while (i < n && scan.state !== State.Done) {
    switch (scan.state) {
      case State.Data: {
        const lt = buf.indexOf(LT, i);
        if (lt < 0) {
          i = n;
          break;
        }
        const r = readTagStart(scan, buf, lt);
        if (r === -1) { // incomplete: carry from "<" to the next chunk
          if (lt > emitted) emit(buf.subarray(emitted, lt));
          scan.carry = buf.slice(lt);
          return;
        }
        if (r === -2) { // insert before this tag
          scan.state = State.Done;
          return emit(splice(buf, emitted, lt, scan.tag()));
        }
        if (r === -3) { // a whole <meta> start tag: maybe rewritten
          const end = scan.metaEnd;
          const replaced = scan.meta!(DECODER.decode(buf.subarray(lt, end)));
          if (replaced !== null) {
            if (lt > emitted) emit(buf.subarray(emitted, lt));
            emit(ENCODER.encode(replaced));
            emitted = end;
          }
          scan.state = State.Data;
          i = end;
          break;
        }
        i = r;
        break;
      }
      case State.Comment:
        i = scanComment(scan, buf, i);
        break;
      case State.SkipToGt: {
        const gt = buf.indexOf(GT, i);
        if (gt < 0) i = n;
        else {
          i = gt + 1;
          scan.state = State.Data;
        }
        break;
      }
      case State.InTag: {
        i = scanInTag(scan, buf, i);
        if ((scan.state as number) === State.Done) {
          return emit(splice(buf, emitted, i, scan.tag()));
        }
        break;
      }
      case State.Raw:
        i = scanRaw(scan, buf, i);
        break;
    }
  }
  if (emitted < n) emit(emitted === 0 ? buf : buf.subarray(emitted));
}

/** One output chunk: `buf[from..at]`, the tag, `buf[at..]` (one write downstream, not three). */
function splice(
  buf: Uint8Array,
  from: number,
  at: number,
  tag: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(buf.length - from + tag.length);
  out.set(buf.subarray(from, at));
  out.set(tag, at - from);
  out.set(buf.subarray(at), at - from + tag.length);
  return out;
}

/**
 * Classifies the markup starting at `buf[lt] === "<"` and sets the next state.
 * @returns the index to continue from, -1 when the chunk ends too early, -2 to insert before it
 */
function readTagStart(scan: Scan, buf: Uint8Array, lt: number): number {
  const n = buf.length;
  let j = lt + 1;
  if (j >= n) return -1;
  const first = buf[j];
  if (first === BANG) {
    if (j + 2 >= n) return -1;
    if (buf[j + 1] === DASH && buf[j + 2] === DASH) {
      scan.state = State.Comment;
      scan.dashes = 0;
      return j + 3;
    }
    scan.state = State.SkipToGt;
    return j + 1;
  }
  if (first === QMARK) {
    scan.state = State.SkipToGt;
    return j + 1;
  }
  const end = first === SLASH;
  if (end) j++;
  if (j >= n) return -1;
  if (!isAlpha(buf[j])) return end ? skipTo(scan, j) : lt + 1;
  const start = j;
  while (j < n && isAlpha(buf[j]) && j - start <= MAX_NAME) j++;
  if (j >= n) return -1;
  const b = buf[j];
  const boundary = isSpace(b) || b === SLASH || b === GT;
  let name = "";
  if (boundary) {
    for (let k = start; k < j; k++) name += String.fromCharCode(lower(buf[k]));
  }
  const inTemplate = scan.templates > 0;
  if (end) {
    if (name === "template") scan.templates = Math.max(0, scan.templates - 1);
    const closes = name === "head" || name === "body" || name === "html";
    if (closes && !inTemplate) return -2;
    return skipTo(scan, j);
  }
  if (name === "template") scan.templates++;
  // <plaintext> makes the rest of the document text: the tag goes before it.
  if (name === "plaintext" && !inTemplate) return -2;
  if (name === "meta" && scan.meta !== null && !inTemplate) {
    const gt = findTagEnd(buf, j);
    if (gt >= 0) {
      scan.metaEnd = gt + 1;
      return -3;
    }
    if (n - lt < META_MAX) return -1;
  }
  scan.state = State.InTag;
  scan.quote = 0;
  scan.afterTag = name === "body" && !inTemplate;
  scan.rawEnd = RAW_TEXT.get(name) ?? null;
  return j;
}

/** The index of the `>` that ends the start tag whose attributes begin at `i`, or -1. */
