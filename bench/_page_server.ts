/**
 * The browser benches' local site: the collector bundle at `/c.js`, everything else from `route`.
 *
 * @module
 */
import { buildCollectorBundle } from "../collector/mod.ts";

/** Serves `/c.js` (the built collector) and hands every other request to `route`. */
export async function serveBenchSite(
  route: (req: Request, url: URL) => Response | Promise<Response>,
): Promise<{ base: string; shutdown(): Promise<void> }> {
  const { code } = await buildCollectorBundle();
  const server = Deno.serve({
    port: 0,
    hostname: "127.0.0.1",
    onListen: () => {},
  }, (req) => {
    const url = new URL(req.url);
    if (url.pathname === "/c.js") {
      return new Response(code, {
        headers: { "content-type": "text/javascript" },
      });
    }
    return route(req, url);
  });
  return {
    base: `http://127.0.0.1:${server.addr.port}`,
    shutdown: () => server.shutdown(),
  };
}
