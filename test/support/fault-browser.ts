import { request as httpRequest } from "node:http";

/**
 * A browser-like HTTP client for the security and fault suites: it keeps
 * cookies per host, follows redirects by hand so every hop's cookies are
 * stored, and refuses any host other than loopback.
 *
 * The app's launch cookies are `__Host-…; Secure; SameSite=None; Partitioned`.
 * Browsers treat http://localhost as a secure context and send them there.
 * This jar keeps every cookie regardless of `Secure` and matches `Path` by
 * prefix. It ignores partitioning because all requests here are top-level.
 */
export const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function assertLoopback(url: URL): void {
  if (!LOOPBACK_HOSTS.has(url.hostname)) throw new Error(`Request to a host other than loopback refused: ${url.href}`);
}

export class CookieJar {
  private readonly byHost = new Map<string, Map<string, { value: string; path: string }>>();

  /** Apply the `Set-Cookie` headers of `response`; an empty value or `Max-Age=0` deletes the cookie. */
  store(url: URL, response: Response): void {
    for (const header of response.headers.getSetCookie()) this.storeHeader(url, header);
  }

  storeHeader(url: URL, header: string): void {
    const cookies = this.cookiesOf(url.hostname);
    const [pair = "", ...attributes] = header.split(";").map((part) => part.trim());
    const separator = pair.indexOf("=");
    const name = pair.slice(0, separator);
    const value = pair.slice(separator + 1);
    const attribute = (key: string) => attributes.find((item) => item.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
    const maxAge = attribute("max-age");
    const expires = attribute("expires");
    const expired = maxAge !== undefined ? Number(maxAge) <= 0 : expires !== undefined && Date.parse(expires) <= Date.now();
    if (expired || value === "") cookies.delete(name);
    else cookies.set(name, { value, path: attribute("path") ?? "/" });
  }

  /** Set a cookie by hand, as an attacker who controls their own browser can. */
  set(host: string, name: string, value: string): void {
    this.cookiesOf(host).set(name, { value, path: "/" });
  }

  delete(host: string, name: string): void {
    this.cookiesOf(host).delete(name);
  }

  get(host: string, name: string): string | undefined {
    return this.cookiesOf(host).get(name)?.value;
  }

  names(host: string): string[] {
    return [...this.cookiesOf(host).keys()];
  }

  header(url: URL): string {
    return [...this.cookiesOf(url.hostname).entries()]
      .filter(([, cookie]) => url.pathname.startsWith(cookie.path))
      .map(([name, cookie]) => `${name}=${cookie.value}`)
      .join("; ");
  }

  private cookiesOf(host: string): Map<string, { value: string; path: string }> {
    let cookies = this.byHost.get(host);
    if (!cookies) {
      cookies = new Map();
      this.byHost.set(host, cookies);
    }
    return cookies;
  }
}

export interface Hop {
  method: string;
  url: URL;
  status: number;
  location?: string;
  setCookies: string[];
}

export interface PageResult {
  url: URL;
  status: number;
  headers: Headers;
  body: string;
}

export interface RequestOptions {
  form?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  /** Stop before following a redirect to a URL this returns true for, and return the redirect itself. */
  stopBefore?: (next: URL) => boolean;
  /** Return the first response without following any redirect. */
  noFollow?: boolean;
}

const MAX_REDIRECTS = 15;

/** A browser-like HTTP client: follows redirects by hand so each hop's cookies are stored and sent. */
export class Browser {
  readonly jar = new CookieJar();
  readonly hops: Hop[] = [];

  async request(method: "GET" | "POST", target: string | URL, options: RequestOptions = {}): Promise<PageResult> {
    let url = new URL(target);
    let body = options.form ? formBody(options.form) : undefined;

    for (let hop = 0; hop < MAX_REDIRECTS; hop++) {
      assertLoopback(url);
      const cookie = this.jar.header(url);
      const response = await fetch(url, {
        method,
        redirect: "manual",
        headers: {
          ...(cookie ? { cookie } : {}),
          ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}),
          ...options.headers,
        },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      this.jar.store(url, response);
      const location = response.headers.get("location") ?? undefined;
      this.hops.push({ method, url, status: response.status, location, setCookies: response.headers.getSetCookie() });

      const next = location ? new URL(location, url) : undefined;
      if (response.status < 300 || response.status >= 400 || !next || options.noFollow || options.stopBefore?.(next)) {
        return { url, status: response.status, headers: response.headers, body: await response.text() };
      }
      await response.arrayBuffer();
      url = next;
      // 303, and 302 after a POST as browsers do, continue as GET.
      if (response.status === 303 || (response.status === 302 && method === "POST")) {
        method = "GET";
        body = undefined;
      }
    }
    throw new Error(`More than ${MAX_REDIRECTS} redirects:\n${this.trace()}`);
  }

  get(target: string | URL, options: Omit<RequestOptions, "form"> = {}): Promise<PageResult> {
    return this.request("GET", target, options);
  }

  post(target: string | URL, form: Record<string, string | string[]>, options: Omit<RequestOptions, "form"> = {}): Promise<PageResult> {
    return this.request("POST", target, { ...options, form });
  }

  /** Return the ids of the launch cookies this browser holds for `host`. */
  launchIds(host: string): string[] {
    return this.jar
      .names(host)
      .filter((name) => name.startsWith(LAUNCH_COOKIE_PREFIX))
      .map((name) => name.slice(LAUNCH_COOKIE_PREFIX.length));
  }

  trace(): string {
    return this.hops.map((hop) => `${hop.method} ${hop.url.origin}${hop.url.pathname} -> ${hop.status}`).join("\n");
  }
}

export const LAUNCH_COOKIE_PREFIX = "__Host-smart-launch-";

function formBody(form: Record<string, string | string[]>): URLSearchParams {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) {
    for (const item of Array.isArray(value) ? value : [value]) body.append(name, item);
  }
  return body;
}

/**
 * Send a GET with `rawPath` exactly as given. fetch() and the URL class
 * resolve `..` and some escapes before sending, so path traversal probes
 * must go through node:http to reach the server unchanged.
 */
export function rawGet(origin: string, rawPath: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(origin);
  assertLoopback(url);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: url.hostname, port: url.port, method: "GET", path: rawPath, headers, timeout: 30_000 }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on("timeout", () => request.destroy(new Error(`GET ${rawPath} timed out`)));
    request.on("error", reject);
    request.end();
  });
}

/** Decode the HTML entities React and the app's error pages write into attribute values and text. */
export function decodeHtml(text: string): string {
  return text
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** Return the attributes of every `<input>` in `html`; React does not keep attributes in source order. */
export function inputs(html: string): Array<Record<string, string>> {
  return [...html.matchAll(/<(?:input|button)\b([^>]*)>/g)].map((tag) =>
    Object.fromEntries([...(tag[1] ?? "").matchAll(/([\w-]+)="([^"]*)"/g)].map((attribute) => [attribute[1], decodeHtml(attribute[2] ?? "")])),
  );
}

/** Return the request id that the app's error pages print (`Request id: <code>…</code>`). */
export function requestIdOfPage(html: string): string | undefined {
  return /Request id: <code>([0-9a-f-]{36})<\/code>/.exec(html)?.[1];
}

export interface SandboxSignIn {
  /** User id on the sandbox login page; the suggested (first) user by default. */
  user?: string;
  decision?: "allow" | "deny";
}

/**
 * Drive the sandbox authorization server's sign-in and consent pages from
 * `loginPage` (the page `/launch` or `/standalone` ends on) and stop before
 * the redirect to the app's `/callback`. Returns that callback URL, so a test
 * can send it as is, change it, or keep it for another launch.
 */
export async function sandboxConsent(browser: Browser, loginPage: PageResult, choices: SandboxSignIn = {}): Promise<URL> {
  if (loginPage.url.pathname !== "/sandbox/descope/login") throw new Error(`Expected the sandbox login page, got ${loginPage.url.href} (${loginPage.status}):\n${loginPage.body.slice(0, 800)}`);
  const origin = loginPage.url.origin;
  const loginInputs = inputs(loginPage.body);
  const request = loginInputs.find((input) => input.name === "request")?.value;
  const users = loginInputs.filter((input) => input.name === "user");
  const user = choices.user ?? users[0]?.value;
  if (!request || !user) throw new Error(`No sign-in form on the login page:\n${loginPage.body.slice(0, 800)}`);

  const consentPage = await browser.post(`${origin}/sandbox/descope/login/submit`, { request, user });
  if (consentPage.url.pathname !== "/sandbox/descope/consent") throw new Error(`Expected the consent page, got ${consentPage.url.href} (${consentPage.status})`);
  const consentInputs = inputs(consentPage.body);
  const consentRequest = consentInputs.find((input) => input.name === "request")?.value ?? "";
  const scopes = consentInputs.filter((input) => input.name === "scope").map((input) => input.value ?? "");

  let callback: URL | undefined;
  await browser.post(
    `${origin}/sandbox/descope/consent/submit`,
    { request: consentRequest, decision: choices.decision ?? "allow", scope: scopes },
    {
      stopBefore: (next) => {
        if (next.pathname !== "/callback") return false;
        callback = next;
        return true;
      },
    },
  );
  if (!callback) throw new Error(`Consent did not redirect to /callback:\n${browser.trace()}`);
  return callback;
}
