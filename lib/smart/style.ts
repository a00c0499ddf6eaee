import { getConfig, isLoopbackUrl } from "@/lib/config";
import { log } from "@/lib/log";
import type { LaunchRecord } from "@/lib/session/launch-record";

/**
 * SMART style hints (`smart_style_url`, SMART App Launch 2.2 "Styling"):
 * the EHR's colours and fonts, fetched by the server from a trusted origin,
 * checked value by value, and applied as CSS custom properties.
 */
export type StyleVariables = Record<string, string>;

const COLOR = /^(#[0-9a-fA-F]{3,8}|rgba?\(\s*[\d.]+%?\s*(,\s*[\d.]+%?\s*){2,3}\))$/;
const DIMENSION = /^\d{1,3}(\.\d{1,2})?(px|em|rem|%)$/;
const FONT_FAMILY = /^[A-Za-z0-9 ,'"-]{1,200}$/;

/** SMART style properties and the CSS variables of the app they set. */
const PROPERTIES: Array<{ name: string; variable: string; pattern: RegExp }> = [
  { name: "color_background", variable: "--color-bg", pattern: COLOR },
  { name: "color_text", variable: "--color-text", pattern: COLOR },
  { name: "color_highlight", variable: "--color-accent", pattern: COLOR },
  { name: "color_error", variable: "--color-danger", pattern: COLOR },
  { name: "color_success", variable: "--color-ok", pattern: COLOR },
  { name: "dim_border_radius", variable: "--radius", pattern: DIMENSION },
  { name: "font_family_body", variable: "--font-body", pattern: FONT_FAMILY },
];

/** Largest style document read; real ones are a few hundred bytes. */
const MAX_STYLE_BYTES = 16 * 1024;

/** Styles are cached for ten minutes per URL, so each page view does not refetch them. */
const CACHE_MS = 10 * 60 * 1000;

/**
 * Maximum number of cached style URLs. An EHR may name a new URL for each
 * launch (a session id in the query, for example), so without a maximum the
 * cache would grow with every launch. At the maximum, a new entry replaces the
 * oldest one, which costs one more fetch of that style when it is used again.
 */
export const MAX_CACHED_STYLES = 500;

/** Cached styles by URL, oldest fetch first. */
const cache = new Map<string, { variables: StyleVariables; fetchedAt: number }>();

/** Return the number of style documents in this process's cache. */
export function cachedStyleCount(): number {
  return cache.size;
}

/** Cache `variables` for `href`, after dropping expired entries and, at the maximum, the oldest ones. */
function cacheStyle(href: string, variables: StyleVariables, now: number): void {
  for (const [cachedHref, entry] of cache) {
    if (now - entry.fetchedAt >= CACHE_MS) cache.delete(cachedHref);
  }
  // Deleting first moves a refetched URL to the end of the insertion order.
  cache.delete(href);
  while (cache.size >= MAX_CACHED_STYLES) {
    const oldest = cache.keys().next().value;
    if (oldest === undefined) break;
    cache.delete(oldest);
  }
  cache.set(href, { variables, fetchedAt: now });
}

/** Return the CSS variables that a SMART style document sets; invalid or unknown values are left out. */
export function styleVariables(document: unknown): StyleVariables {
  if (!document || typeof document !== "object") return {};
  const variables: StyleVariables = {};
  for (const { name, variable, pattern } of PROPERTIES) {
    const value = (document as Record<string, unknown>)[name];
    if (typeof value === "string" && pattern.test(value.trim())) variables[variable] = value.trim();
  }
  return variables;
}

/** Return true when `url` may be fetched for a launch: https (or loopback http) on the FHIR server's or a trusted EHR's origin. */
export function isTrustedStyleUrl(url: URL, record: LaunchRecord): boolean {
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackUrl(url))) return false;
  if (url.username || url.password) return false;

  const issuer = getConfig().trustedIssuers.find((candidate) => candidate.iss === record.iss);
  const origins = new Set([new URL(record.iss).origin, ...(issuer?.frameAncestors ?? [])]);
  return origins.has(url.origin);
}

/** Fetch and check the launch's SMART style; any failure gives no style, and the app keeps its own. */
export async function loadSmartStyle(record: LaunchRecord, requestId: string): Promise<StyleVariables> {
  const raw = record.context?.smartStyleUrl;
  if (!raw) return {};

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    log.warn("style.invalid_url", { requestId, launchId: record.id, length: raw.length });
    return {};
  }
  if (!isTrustedStyleUrl(url, record)) {
    log.warn("style.untrusted_url", { requestId, launchId: record.id, origin: url.origin });
    return {};
  }

  const cached = cache.get(url.href);
  if (cached && Date.now() - cached.fetchedAt < CACHE_MS) return cached.variables;

  try {
    const response = await fetch(url, { redirect: "error", cache: "no-store", signal: AbortSignal.timeout(Math.min(getConfig().fhirTimeoutMs, 3000)) });
    const text = await response.text();
    if (!response.ok || text.length > MAX_STYLE_BYTES) throw new Error(`status ${response.status}, ${text.length} bytes`);
    const variables = styleVariables(JSON.parse(text));
    cacheStyle(url.href, variables, Date.now());
    return variables;
  } catch (error) {
    log.warn("style.fetch_failed", { requestId, launchId: record.id, url: url.origin + url.pathname, error });
    return {};
  }
}
