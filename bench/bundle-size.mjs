import { request } from "node:http";
import { ehrLaunchUrl, signIn, signInPageUrl, startAppLaunch } from "./lib/sandbox-http.mjs";

/**
 * Benchmark 3: gzipped JavaScript that each page loads.
 *
 * Each page is opened at the top level with the browser cache off and left
 * until the network is idle. The JavaScript responses in Chromium's
 * network log are then fetched again with `Accept-Encoding: gzip`, and the
 * bytes the server sends are summed: that is what a browser with an empty
 * cache downloads for the page.
 */

/** Return the number of body bytes the server sends for `url` with gzip accepted (what goes over the wire). */
function gzipBytes(url) {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { "accept-encoding": "gzip" } }, (response) => {
      let bytes = 0;
      response.on("data", (chunk) => (bytes += chunk.length));
      response.on("end", () => resolve({ bytes, encoding: response.headers["content-encoding"] ?? "identity", status: response.statusCode }));
      response.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** Load `url` in `page` with the browser cache off and return the JavaScript it loaded with its sizes. */
async function measureLoad(page, url) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const scripts = new Set();
  const onResponse = (response) => {
    if (response.request().resourceType() === "script") scripts.add(response.url());
  };
  page.on("response", onResponse);
  try {
    const response = await page.goto(url, { waitUntil: "networkidle" });
    if (!response?.ok()) throw new Error(`${url} returned ${response?.status()}`);
  } finally {
    page.off("response", onResponse);
  }

  const files = [];
  for (const script of scripts) {
    const size = await gzipBytes(script);
    if (size.status !== 200) throw new Error(`${script} returned ${size.status} when fetched again`);
    // next start leaves responses under 1 KiB uncompressed; those count with their plain size.
    files.push({ path: new URL(script).pathname, gzipBytes: size.bytes, encoding: size.encoding });
  }
  return { url: new URL(url).pathname, scripts: files.length, gzipBytes: files.reduce((sum, file) => sum + file.gzipBytes, 0), files };
}

/** Open `url` in a fresh context and measure it. */
async function measurePage(browser, url) {
  const context = await browser.newContext();
  try {
    return await measureLoad(await context.newPage(), url);
  } finally {
    await context.close();
  }
}

/**
 * Launch the app at the top level in a fresh context, then measure our
 * patient page (loaded again) and our "Access granted" page with the launch's cookie.
 */
async function measureLaunchPages(browser, launchUrl) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(launchUrl);
    await page.getByRole("button", { name: /\(practitioner\)/ }).click();
    await page.getByRole("button", { name: "Allow" }).click();
    await page.getByTestId("patient-name").waitFor();
    const patientUrl = page.url();
    return { patient: await measureLoad(page, patientUrl), accessGranted: await measureLoad(page, `${patientUrl}/consent`) };
  } finally {
    await context.close();
  }
}

/**
 * Measure the pages of one launch: the sandbox's sign-in and consent pages,
 * our patient page and our "Access granted" page, and the empty app's page.
 * Our `/launch` and `/callback` return redirects and load no JavaScript.
 */
export async function benchmarkBundles({ browser, app, emptyAppUrl, patientId }) {
  const { authorizeUrl } = await startAppLaunch(await ehrLaunchUrl(app.ehrUrl, patientId));
  const loginUrl = await signInPageUrl(authorizeUrl);
  const consentUrl = await signIn(loginUrl);
  const launchPages = await measureLaunchPages(browser, (await ehrLaunchUrl(app.ehrUrl, patientId)).href);

  const pages = {
    empty: await measurePage(browser, `${emptyAppUrl}/`),
    signIn: await measurePage(browser, loginUrl.href),
    consent: await measurePage(browser, consentUrl.href),
    ...launchPages,
  };
  const aboveEmpty = Object.fromEntries(Object.entries(pages).map(([name, page]) => [name, page.gzipBytes - pages.empty.gzipBytes]));
  return { pages, aboveEmpty };
}
