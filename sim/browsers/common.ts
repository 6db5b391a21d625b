/**
 * What the browser automation families share: the plan of sessions, the behaviour every family
 * draws per session (viewport, action mix, pauses), and the driver contract each tool implements
 * (sim/browsers/puppeteer.ts, playwright.ts, selenium.ts).
 *
 * @module
 */
import type { Rng } from "../bots/prng.ts";
import { VIEWPORTS } from "./chromium_drivers.ts";

/** The recorded automation tools. */
export type Family = "puppeteer" | "playwright" | "selenium";

/** Every family, in recording order. */
export const FAMILIES: readonly Family[] = [
  "puppeteer",
  "playwright",
  "selenium",
];

/** The flag that hides `navigator.webdriver` in Chromium (the "stealth" sessions). */
export const HIDE_WEBDRIVER = "--disable-blink-features=AutomationControlled";

/** One planned session: `browser/<family>/<index>`; odd indices hide `navigator.webdriver`. */
export interface BrowserPlan {
  name: string;
  family: Family;
  index: number;
  stealth: boolean;
}

/** The plans of `sessions` sessions of one family. */
export function planFamily(family: Family, sessions: number): BrowserPlan[] {
  return Array.from({ length: sessions }, (_, index) => ({
    name: `browser/${family}/${index}`,
    family,
    index,
    stealth: index % 2 === 1,
  }));
}

/** The behaviour every family draws first, from the session's own generator. */
export interface CommonParams {
  viewport: { width: number; height: number };
  /** Share of actions that move (and mostly click); then scroll; the rest type. */
  pointShare: number;
  scrollShare: number;
  /** Longest idle pause after an action, ms. */
  pauseMax: number;
}

/** Draws {@link CommonParams}. */
export function drawCommon(rng: Rng): CommonParams {
  return {
    viewport: { ...rng.pick(VIEWPORTS) },
    pointShare: rng.uniform(0.55, 0.8),
    scrollShare: rng.uniform(0.08, 0.2),
    pauseMax: rng.pick([0, 150, 400, 800]),
  };
}

/** The action a driver takes next: `point`, `scroll` or `type`, by the session's mix. */
export function nextAction(
  rng: Rng,
  p: CommonParams,
): "point" | "scroll" | "type" {
  const r = rng.next();
  return r < p.pointShare
    ? "point"
    : r < p.pointShare + p.scrollShare
    ? "scroll"
    : "type";
}

/** A wheel turn in px, as the tools' examples use (notches of 100 or 120 px, a page of 300). */
export function wheelDelta(rng: Rng): number {
  return rng.pick([100, 120, -100, 300]);
}

/** One session to drive: its plan, generator and driving time. */
export interface DriveRequest {
  plan: BrowserPlan;
  /** The guard's URL of the target page. */
  url: string;
  rng: Rng;
  /** Driving time from the collector being ready; stops at the first action boundary after. */
  seconds: number;
}

/** What a driven session reports back. */
export interface DriveResult {
  /** The `__guard_sid` cookie of the session's fresh context, unverified. */
  cookie: string | undefined;
  /** The parameters drawn for the session (for the recording's log). */
  params: Record<string, unknown>;
  /** Milliseconds from the collector being ready to leaving the page. */
  drivenMs: number;
}

/** A tool that drives sessions, each in a fresh browser context (or browser). */
export interface FamilyDriver {
  /** The tool and its version, e.g. `playwright-core 1.65.2`. */
  tool: string;
  /** Drives one session: loads the page, waits for the collector, acts, leaves. */
  drive(request: DriveRequest): Promise<DriveResult>;
  /** Closes every browser the driver launched. */
  close(): Promise<void>;
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> =>
  new Promise((ok) => setTimeout(ok, ms));

/** The page expression that tells the guard's collector has started. */
export const COLLECTOR_READY =
  "(globalThis.__guardCollector === true)" as const;
