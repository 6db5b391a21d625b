import { strict as assert } from "node:assert";
import fc from "fast-check";
import { createInjector, injectStream } from "./inject_stream.ts";

const TAG = "<script src=/x.js></script>";
const enc = new TextEncoder();
const dec = new TextDecoder();

async function run(chunks: string[]): Promise<string> {
  const input = () => ReadableStream.from(chunks.map((c) => enc.encode(c)));
  const piped = input().pipeThrough(createInjector(enc.encode(TAG)));
  const pulled = injectStream(input(), enc.encode(TAG));
  const a = dec.decode(await new Response(piped).arrayBuffer());
  const b = dec.decode(await new Response(pulled).arrayBuffer());
  assert.equal(b, a, "injectStream() and createInjector() agree");
  return a;
}

/** Every way of splitting `html` in two, plus one byte per chunk. */
async function runAllSplits(html: string): Promise<Set<string>> {
  const results = new Set<string>();
  results.add(await run([html]));
  results.add(await run([...html]));
  for (let k = 1; k < html.length; k++) {
    results.add(await run([html.slice(0, k), html.slice(k)]));
  }
  return results;
}

const CASES: Array<[string, string, string]> = [
  [
    "before </head>",
    "<html><head><title>t</title></head><body>x</body></html>",
    "<html><head><title>t</title>@</head><body>x</body></html>",
  ],
  [
    "upper case",
    "<HTML><HEAD></HEAD><BODY></BODY></HTML>",
    "<HTML><HEAD>@</HEAD><BODY></BODY></HTML>",
  ],
  ["</head > with space", "<head></head ><body>", "<head>@</head ><body>"],
  [
    "no </head>: after <body…>",
    '<html><body class="a>b">x</body>',
    '<html><body class="a>b">@x</body>',
  ],
  [
    "no head nor body start: before </body>",
    "<p>x</p></body></html>",
    "<p>x</p>@</body></html>",
  ],
  ["before </html>", "<p>x</p></html>", "<p>x</p>@</html>"],
  ["nothing: at end", "<p>hello</p>", "<p>hello</p>@"],
  ["empty document", "", "@"],
  [
    "fake </head> in a comment",
    "<head><!-- </head> --></head>",
    "<head><!-- </head> -->@</head>",
  ],
  [
    "comment with dashes inside",
    "<!-- a -- </head> --- --></head>",
    "<!-- a -- </head> --- -->@</head>",
  ],
  [
    "fake </head> in a script string",
    '<head><script>var s="</head>";</script></head>',
    '<head><script>var s="</head>";</script>@</head>',
  ],
  [
    "fake </head> in a style",
    "<style>/* </head> */</style></head>",
    "<style>/* </head> */</style>@</head>",
  ],
  [
    "</script in a script string of another case",
    "<script>a='</scriptx></head>'</SCRIPT ></head>",
    "<script>a='</scriptx></head>'</SCRIPT >@</head>",
  ],
  [
    "fake </head> in a title",
    "<title></head></title></head>",
    "<title></head></title>@</head>",
  ],
  [
    "fake </head> in an attribute",
    "<meta content='</head>'></head>",
    "<meta content='</head>'>@</head>",
  ],
  [
    "</header> is not </head>",
    "<body><header></header>",
    "<body>@<header></header>",
  ],
  [
    "</header> before the head ends",
    "<head></header></head>",
    "<head></header>@</head>",
  ],
  [
    "<bodyx> is not <body>",
    "<bodyx></bodyx></body>",
    "<bodyx></bodyx>@</body>",
  ],
  [
    "doctype and processing instruction",
    "<!DOCTYPE html><?xml x?></head>",
    "<!DOCTYPE html><?xml x?>@</head>",
  ],
  ["stray < in text", "a < b <3 </ x></head>", "a < b <3 </ x>@</head>"],
  ["only the first point", "</head></head>", "@</head></head>"],
];

Deno.test("createInjector() inserts the tag once at the right point, however the input is split", async (t) => {
  for (const [name, html, expected] of CASES) {
    await t.step(name, async () => {
      const results = await runAllSplits(html);
      assert.deepEqual([...results], [expected.replace("@", TAG)]);
    });
  }
});

Deno.test("createInjector() keeps every input byte in order and adds exactly one tag", async () => {
  const alphabet = fc.constantFrom(
    "<",
    ">",
    "/",
    "!",
    "-",
    "'",
    '"',
    "head",
    "HEAD",
    "body",
    "script",
    " ",
    "x",
    "é",
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(alphabet, { maxLength: 40 }),
      fc.array(fc.nat(60), { maxLength: 5 }),
      async (parts, cuts) => {
        const html = parts.join("");
        const bytes = enc.encode(html);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))]
          .sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let prev = 0;
        for (const p of [...points, bytes.length]) {
          chunks.push(bytes.slice(prev, p));
          prev = p;
        }
        const out = ReadableStream.from(chunks).pipeThrough(
          createInjector(enc.encode(TAG)),
        );
        const text = dec.decode(await new Response(out).arrayBuffer());
        const at = text.indexOf(TAG);
        assert.ok(at >= 0);
        assert.equal(text.slice(0, at) + text.slice(at + TAG.length), html);
        const whole = await run([html]);
        assert.equal(text, whole);
      },
    ),
    { numRuns: 300 },
  );
});
