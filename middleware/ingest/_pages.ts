/**
 * Per-page clock checks: a page's windows may not claim more time than has passed on the server
 * since the page was served, and may not overlap.
 *
 * The anchor is the page token's issue time (server clock), so the check holds on any instance
 * and after this table forgot the page: `t1 − t0(first window) ≤ (receipt − issuedAt) + slack`
 * for every window, whatever the client's clock offset. A client replaying recorded windows, or
 * pumping windows faster than real time to pile up evidence, outruns it. The first window's `t0`
 * is remembered (bounded table); without it the window's own `t0` stands in, which still bounds
 * each window by the page's age.
 *
 * Why retries and clock offsets pass: the client's clock may be off by any constant (only
 * differences of client times are compared), a retried window arrives late (receipt grows, which
 * only loosens the bound), and the slack covers rounding and a page served a little before
 * its first event.
 */

/** What one page has posted so far. */
interface PageState {
  firstT0: number;
  lastT1: number;
  windows: number;
}

/** Options of {@link createPageTable}. */
export interface PageTableOptions {
  /** Pages remembered; the least recently posting one is forgotten. */
  maxPages: number;
  /** Slack of the clock check, ms. */
  slackMs: number;
  /** WINDOW_MS: bounds the number of windows a page can have closed by now. */
  windowMs: number;
}

/** A rejected window: which field, and why (short, never quoting input). */
export type PageProblem = { field: string; reason: string };

/** The per-page table of one ingest route. */
export interface PageTable {
  /**
   * Checks one window of a page against the page's age and its earlier windows; on success,
   * records it.
   */
  accept(
    page: string,
    issuedAt: number,
    window: { t0: number; t1: number },
    receivedAt: number,
  ): PageProblem | null;
}

/** Creates the table. */
export function createPageTable(options: PageTableOptions): PageTable {
  const pages = new Map<string, PageState>();
  return {
    accept(page, issuedAt, window, receivedAt) {
      const known = pages.get(page);
      const age = Math.max(0, receivedAt - issuedAt);
      const firstT0 = known?.firstT0 ?? window.t0;
      if (window.t1 - firstT0 > age + options.slackMs) {
        return { field: "t1", reason: "window outruns the page's age" };
      }
      if (known !== undefined && window.t0 < known.lastT1 - 1) {
        return { field: "t0", reason: "window overlaps an earlier one" };
      }
      // Windows close every windowMs, plus one per hide/show of the page: twice the rate, and
      // a few at the start, is more than a real page produces.
      const windows = (known?.windows ?? 0) + 1;
      if (windows > 4 + 2 * Math.ceil(age / options.windowMs)) {
        return { field: "seq", reason: "more windows than the page's age" };
      }
      pages.delete(page);
      pages.set(page, { firstT0, lastT1: window.t1, windows });
      if (pages.size > options.maxPages) {
        pages.delete(pages.keys().next().value!);
      }
      return null;
    },
  };
}
