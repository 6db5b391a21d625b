/**
 * A streaming byte-level HTML scanner that inserts one tag at the first fitting point.
 *
 * Insertion point, first match wins, in document order (the stream is never buffered, so a point
 * already passed cannot be revisited): before `</head>`; right after the `<body…>` start tag (the
 * head is then implicitly closed); before `</body>` or `</html>` (start tags omitted); else at the
 * end. Markup inside comments, `<!DOCTYPE>`/`<?…>`, attribute values, and the raw-text elements
 * (`script`, `style`, `title`, `textarea`, `xmp`, `iframe`, `noembed`, `noframes`) is skipped, so a
 * fake `</head>` there is ignored. Tag names are ASCII-case-insensitive and may be split across
 * chunks: a possible tag start (at most a few bytes) is carried to the next chunk.
 *
 * The stream wrappers (TransformStream, pull-based stream, whole buffer) are in inject_stream.ts.
 *
 * Known simplification: the HTML "script data escaped" states (`<!--<script>` inside a script) are
 * not modelled; `</script` always ends a script here, as it does in every real page we saw.
 *
 * @module
 */

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const DASH = 0x2d;
const QMARK = 0x3f;
const MAX_NAME = 10;

/** Raw-text and escapable-raw-text elements, with the `</name` that ends each. */
const RAW_TEXT = new Map(
  [
    "script",
    "style",
    "title",
    "textarea",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
  ]
    .map((name) => [name, new TextEncoder().encode("</" + name)]),
);

/** Scanner states (plain numbers keep the hot loop monomorphic). */
const State = {
  Data: 0,
  Comment: 1,
  SkipToGt: 2,
  InTag: 3,
  Raw: 4,
  Done: 5,
} as const;

type Scan = {
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
};

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d;
}

function isAlpha(b: number): boolean {
  const l = b | 0x20;
  return l >= 0x61 && l <= 0x7a;
}

function lower(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}

/** Receives output chunks from the scanner. */
export type Emit = (chunk: Uint8Array) => void;

/** A push-style scanner: `push` each input chunk, then `end` once. */
export type Scanner = {
  push(chunk: Uint8Array, emit: Emit): void;
  end(emit: Emit): void;
};

/**
 * Creates the push-style scanner that inserts `tag` once (see the module doc for where).
 *
 * @param tag the bytes to insert
 */
export function createScanner(tag: Uint8Array): Scanner {
  const scan: Scan = {
    state: State.Data,
    quote: 0,
    afterTag: false,
    rawEnd: null,
    rawMatched: 0,
    dashes: 0,
    carry: null,
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
      scanChunk(scan, buf, tag, emit);
    },
    end(emit) {
      if (scan.carry !== null) emit(scan.carry);
      if (scan.state !== State.Done) emit(tag);
    },
  };
}

/** Scans one chunk, enqueuing its bytes (and the tag, once) in order. */
function scanChunk(
  scan: Scan,
  buf: Uint8Array,
  tag: Uint8Array,
  emit: Emit,
): void {
  let i = 0;
  const emitted = 0;
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
          return emit(splice(buf, emitted, lt, tag));
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
          return emit(splice(buf, emitted, i, tag));
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
  if (end) {
    if (name === "head" || name === "body" || name === "html") return -2;
    return skipTo(scan, j);
  }
  scan.state = State.InTag;
  scan.quote = 0;
  scan.afterTag = name === "body";
  scan.rawEnd = RAW_TEXT.get(name) ?? null;
  return j;
}

function skipTo(scan: Scan, j: number): number {
  scan.state = State.SkipToGt;
  return j;
}

/** Inside a start tag: skips quoted attribute values up to the closing `>`. */
function scanInTag(scan: Scan, buf: Uint8Array, i: number): number {
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
function scanComment(scan: Scan, buf: Uint8Array, i: number): number {
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
function scanRaw(scan: Scan, buf: Uint8Array, i: number): number {
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
