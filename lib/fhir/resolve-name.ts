import { log } from "@/lib/log";
import type { LaunchRecord } from "@/lib/session/launch-record";
import { patientName, type HumanName } from "./format";
import { fetchFhir, upstreamUrl } from "./proxy";

/**
 * Return the display name of a resource such as `Practitioner/123` or
 * `Patient/abc` from the launch's FHIR server, or undefined when it cannot be
 * read. An absolute reference is followed only when it lies below the launch's
 * FHIR base, so the token never goes to another server.
 */
export async function resolveReferenceName(record: LaunchRecord, reference: string | undefined, requestId: string): Promise<string | undefined> {
  if (!reference || !record.tokens) return undefined;

  const base = `${record.iss.replace(/\/+$/, "")}/`;
  const relative = reference.startsWith(base) ? reference.slice(base.length) : reference;
  if (/^[a-z]+:/i.test(relative)) return undefined;

  try {
    const url = upstreamUrl(record.iss, relative.split("/"), "");
    const { status, body } = await fetchFhir(record, url);
    if (status !== 200) {
      log.warn("fhir.name_lookup_failed", { requestId, launchId: record.id, reference: relative.slice(0, 100), status });
      return undefined;
    }
    return patientName(body as { name?: HumanName[] });
  } catch (error) {
    log.warn("fhir.name_lookup_failed", { requestId, launchId: record.id, reference: relative.slice(0, 100), error });
    return undefined;
  }
}
