/**
 * The scanner's states and the scanners of the states that only skip (inside a start tag, a
 * comment, raw text), split from injector.ts, which decides where the tag goes.
 *
 * @module
 */

export const LT = 0x3c;
export const GT = 0x3e;
export const SLASH = 0x2f;
export const BANG = 0x21;
export const DASH = 0x2d;
export const QMARK = 0x3f;
export const MAX_NAME = 10;
/** A `<meta>` start tag longer than this is passed on unread (a CSP in one is never this long). */
export const META_MAX = 8192;

/** Raw-text and escapable-raw-text elements, with the `</name` that ends each. */
export const RAW_TEXT = new Map(
  [
    "script",
    "style",
    "title",
    "textarea",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    // Parsed as raw text whenever scripting is on, which is whenever the collector could run.
    "noscript",
  ]
    .map((name) => [name, new TextEncoder().encode("</" + name)]),
);

/** Scanner states (plain numbers keep the hot loop monomorphic). */
export const State = {
  Data: 0,
  Comment: 1,
  SkipToGt: 2,
  InTag: 3,
  Raw: 4,
  Done: 5,
} as const;

export type Scan = {
  state: number;
  /** Inside a start tag: the quote that opened the current attribute value, or 0. */
  quote: number;
  /** Inside a start tag: insert right after its `>` (a `<body>` start tag). */
  afterTag: boolean;
  /** Inside a start tag or raw text: the `</name` that ends the raw-text element, or null. */
  rawEnd: Uint8Array | null;
  rawMatched: number;
  /** In a comment: how many `-` immediately precede the current byte. */
  dashes: number;
  carry: Uint8Array | null;
  /** Open `<template>` elements: their content is a fragment, not the document's head or body. */
  templates: number;
  /** After a `<meta>` start tag to rewrite: the index just past its `>`. */
  metaEnd: number;
  /** The tag to insert (built when inserted, so a nonce a meta CSP asked for is on it). */
  tag: () => Uint8Array;
  meta: ((startTag: string) => string | null) | null;
};

export function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d;
}

export function isAlpha(b: number): boolean {
  const l = b | 0x20;
  return l >= 0x61 && l <= 0x7a;
}

export function lower(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}

/** Receives output chunks from the scanner. */
export function findTagEnd(buf: Uint8Array, i: number): number {
  let quote = 0;
  for (; i < buf.length; i++) {
    const b = buf[i];
    if (quote !== 0) {
      if (b === quote) quote = 0;
    } else if (b === 0x22 || b === 0x27) quote = b;
    else if (b === GT) return i;
  }
  return -1;
}

export function skipTo(scan: Scan, j: number): number {
  scan.state = State.SkipToGt;
  return j;
}

/** Inside a start tag: skips quoted attribute values up to the closing `>`. */
export function scanInTag(scan: Scan, buf: Uint8Array, i: number): number {
  const n = buf.length;
  for (; i < n; i++) {
    const b = buf[i];
    if (scan.quote !== 0) {
      if (b === scan.quote) scan.quote = 0;
    } else if (b === 0x22 || b === 0x27) {
      scan.quote = b;
    } else if (b === GT) {
      if (scan.afterTag) scan.state = State.Done;
      else if (scan.rawEnd !== null) {
        // HTML ignores "/>" on non-void elements: <script/> still opens raw text.
        scan.state = State.Raw;
        scan.rawMatched = 0;
      } else scan.state = State.Data;
      return i + 1;
    }
  }
  return n;
}

/** In a comment: finds `-->` (dashes may sit at the end of the previous chunk). */
export function scanComment(scan: Scan, buf: Uint8Array, i: number): number {
  const n = buf.length;
  for (; i < n; i++) {
    const b = buf[i];
    if (b === DASH) scan.dashes++;
    else if (b === GT && scan.dashes >= 2) {
      scan.state = State.Data;
      return i + 1;
    } else scan.dashes = 0;
  }
  return n;
}

/** In raw text: finds `</name` followed by a tag-name boundary. */
export function scanRaw(scan: Scan, buf: Uint8Array, i: number): number {
  const n = buf.length;
  const pat = scan.rawEnd as Uint8Array;
  while (i < n) {
    if (scan.rawMatched === 0) {
      const lt = buf.indexOf(LT, i);
      if (lt < 0) return n;
      scan.rawMatched = 1;
      i = lt + 1;
      continue;
    }
    if (scan.rawMatched === pat.length) {
      const b = buf[i];
      if (isSpace(b) || b === SLASH || b === GT) {
        scan.state = State.SkipToGt;
        scan.rawMatched = 0;
        return i;
      }
      scan.rawMatched = 0;
      continue;
    }
    if (lower(buf[i]) === pat[scan.rawMatched]) {
      scan.rawMatched++;
      i++;
    } else scan.rawMatched = 0;
  }
  return n;
}
