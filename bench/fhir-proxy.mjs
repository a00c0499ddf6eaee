import { completeAppLaunch, publicClientTokens } from "./lib/sandbox-http.mjs";
import { summarize } from "./lib/stats.mjs";

/**
 * Benchmark 4: latency of FHIR reads through our proxy
 * `/api/launches/{launchId}/fhir/...` (with the launch cookie) against the
 * same reads sent straight to the sandbox FHIR server with a bearer token of
 * the same scopes and patient. Requests go one at a time, and the four
 * variants take turns, so drift of the machine hits them alike.
 */

async function timedGet(url, headers) {
  const started = performance.now();
  const response = await fetch(url, { headers });
  const body = await response.arrayBuffer();
  const ms = performance.now() - started;
  if (!response.ok) throw new Error(`GET ${url} returned ${response.status}: ${Buffer.from(body).toString("utf8").slice(0, 300)}`);
  return { ms, bytes: body.byteLength };
}

export async function benchmarkFhirProxy({ app, patientId, count, warmup, log }) {
  const { jar, launchId } = await completeAppLaunch(app.ehrUrl, patientId);
  const { iss, tokens } = await publicClientTokens({ appUrl: app.url, ehrUrl: app.ehrUrl, patientId });
  const proxyBase = `${app.url}/api/launches/${launchId}/fhir`;
  const proxyHeaders = { cookie: jar.header(), accept: "application/fhir+json" };
  const directHeaders = { authorization: `Bearer ${tokens.access_token}`, accept: "application/fhir+json" };

  const queries = {
    patientRead: `Patient/${encodeURIComponent(patientId)}`,
    observationSearch: `Observation?patient=${encodeURIComponent(patientId)}&_count=50`,
  };
  const variants = [];
  for (const [name, query] of Object.entries(queries)) {
    variants.push({ key: `${name}.proxy`, url: `${proxyBase}/${query}`, headers: proxyHeaders });
    variants.push({ key: `${name}.direct`, url: `${iss}/${query}`, headers: directHeaders });
  }

  for (let index = 0; index < warmup; index++) for (const variant of variants) await timedGet(variant.url, variant.headers);

  const samples = Object.fromEntries(variants.map((variant) => [variant.key, []]));
  const bytes = {};
  for (let index = 0; index < count; index++) {
    // Rotate the order so that no variant always follows the same one.
    for (let offset = 0; offset < variants.length; offset++) {
      const variant = variants[(index + offset) % variants.length];
      const result = await timedGet(variant.url, variant.headers);
      samples[variant.key].push(result.ms);
      bytes[variant.key] = result.bytes;
    }
  }

  const results = {};
  for (const name of Object.keys(queries)) {
    const proxy = summarize(samples[`${name}.proxy`]);
    const direct = summarize(samples[`${name}.direct`]);
    results[name] = { proxy, direct, bytes: { proxy: bytes[`${name}.proxy`], direct: bytes[`${name}.direct`] }, ratioMedian: proxy.median / direct.median, ratioP95: proxy.p95 / direct.p95 };
    log(`${name}: proxy median ${proxy.median.toFixed(2)} ms, direct ${direct.median.toFixed(2)} ms (${results[name].ratioMedian.toFixed(2)}x)`);
  }
  return { count, warmup, queries, results };
}
