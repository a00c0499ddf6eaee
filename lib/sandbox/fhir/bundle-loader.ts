import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Resource } from "@medplum/fhirtypes";

/**
 * Reading FHIR R4 Bundles (transaction, batch or collection, such as Synthea's
 * output) into plain resources with server ids, ready for the repository.
 */

/** Resources taken from one file, and why some entries were left out (never their content). */
export interface LoadedFile {
  file: string;
  resources: Resource[];
  problems: string[];
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const RESOURCE_TYPE = /^[A-Z][A-Za-z]{1,63}$/;
const URN_UUID = /^urn:uuid:([0-9a-fA-F-]{36})$/;

interface BundleEntryLike {
  fullUrl?: unknown;
  resource?: unknown;
  request?: { method?: unknown; url?: unknown };
}

/**
 * Return the resources of a parsed JSON document: every entry of a Bundle, or
 * the document itself when it is a single resource.
 *
 * Each resource keeps its `id`. A resource without one takes the uuid of its
 * `urn:uuid:` fullUrl, the id of its `PUT Type/id` request, or an id derived
 * from `source` and its position. References to another entry's
 * fullUrl (`urn:uuid:...` or absolute) are rewritten to `Type/id`.
 */
export function extractBundleResources(document: unknown, source: string): LoadedFile {
  const loaded: LoadedFile = { file: source, resources: [], problems: [] };
  if (!isObject(document) || typeof document.resourceType !== "string") {
    loaded.problems.push("the file is not a FHIR resource or Bundle");
    return loaded;
  }
  if (document.resourceType !== "Bundle") {
    document.id ??= derivedId(source, 0);
    loaded.resources.push(document as unknown as Resource);
    return loaded;
  }

  const entries: unknown[] = Array.isArray(document.entry) ? document.entry : [];
  const accepted: Array<{ fullUrl?: string; resource: Resource }> = [];
  entries.forEach((entry, index) => {
    const result = acceptEntry(entry, source, index);
    if (typeof result === "string") loaded.problems.push(`entry ${index}: ${result}`);
    else if (result) accepted.push(result);
  });

  const referenceByFullUrl = new Map<string, string>();
  for (const { fullUrl, resource } of accepted) {
    if (fullUrl) referenceByFullUrl.set(fullUrl, `${resource.resourceType}/${resource.id}`);
  }
  for (const { resource } of accepted) {
    rewriteReferences(resource, referenceByFullUrl);
    loaded.resources.push(resource);
  }
  return loaded;
}

/** Return the entry's resource with its id, undefined for an entry without one (such as a DELETE), or a problem. */
function acceptEntry(entry: unknown, source: string, index: number): { fullUrl?: string; resource: Resource } | string | undefined {
  if (!isObject(entry)) return "not an object";
  const { fullUrl, resource, request } = entry as BundleEntryLike;
  if (resource === undefined) return undefined;
  if (!isObject(resource) || typeof resource.resourceType !== "string" || !RESOURCE_TYPE.test(resource.resourceType)) {
    return "the resource has no valid resourceType";
  }

  const id = resource.id ?? idFromFullUrl(fullUrl) ?? idFromRequest(request, resource.resourceType) ?? derivedId(source, index);
  if (typeof id !== "string" || !FHIR_ID.test(id)) return `${resource.resourceType} has an invalid id`;

  resource.id = id;
  return { fullUrl: typeof fullUrl === "string" ? fullUrl : undefined, resource: resource as unknown as Resource };
}

function idFromFullUrl(fullUrl: unknown): string | undefined {
  if (typeof fullUrl !== "string") return undefined;
  return URN_UUID.exec(fullUrl)?.[1]?.toLowerCase();
}

function idFromRequest(request: BundleEntryLike["request"], resourceType: string): string | undefined {
  if (request?.method !== "PUT" || typeof request.url !== "string") return undefined;
  const [type, id] = request.url.split("?")[0]?.split("/") ?? [];
  return type === resourceType ? id : undefined;
}

/** Return an id that is stable for one file and entry position, so reloading gives the same ids. */
function derivedId(source: string, index: number): string {
  return createHash("sha256").update(`${path.basename(source)}#${index}`).digest("hex").slice(0, 32);
}

function rewriteReferences(value: unknown, referenceByFullUrl: Map<string, string>): void {
  if (Array.isArray(value)) {
    for (const item of value) rewriteReferences(item, referenceByFullUrl);
    return;
  }
  if (!isObject(value)) return;

  for (const [key, item] of Object.entries(value)) {
    if (key === "reference" && typeof item === "string") {
      value[key] = referenceByFullUrl.get(item) ?? item;
    } else {
      rewriteReferences(item, referenceByFullUrl);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Read every `*.json` file of `directory`, in name order, into resources.
 * A file that cannot be read or parsed is returned with a problem instead of
 * failing the whole load. Throws only when the folder itself cannot be read.
 */
export async function loadBundleDirectory(directory: string): Promise<LoadedFile[]> {
  const names = (await readdir(directory)).filter((name) => name.endsWith(".json")).sort();
  const files: LoadedFile[] = [];
  for (const name of names) {
    files.push(await loadBundleFile(path.join(directory, name)));
  }
  return files;
}

/** Read one JSON file into resources; a read or parse failure becomes a problem, not an exception. */
export async function loadBundleFile(file: string): Promise<LoadedFile> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    const reason = error instanceof SyntaxError ? "invalid JSON" : `could not be read (${(error as NodeJS.ErrnoException).code ?? "unknown error"})`;
    return { file, resources: [], problems: [reason] };
  }
  return extractBundleResources(document, file);
}
