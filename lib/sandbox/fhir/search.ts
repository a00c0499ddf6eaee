import { DEFAULT_MAX_SEARCH_COUNT, getSearchParameter, Operator, OperationOutcomeError, parseSearchRequest, type Filter, type SearchRequest } from "@medplum/core";
import type { Bundle, BundleLink, Resource, SearchParameter } from "@medplum/fhirtypes";
import type { SearchConfinement } from "./access";
import { getPatientCompartmentParams } from "./definitions";
import { FhirServerError } from "./errors";

/**
 * FHIR search (https://hl7.org/fhir/R4/search.html) as far as the sandbox
 * supports it: the client's query is checked here, parsed by @medplum/core and
 * run by the in-memory repository, and the result gets absolute paging links.
 */

/** Page size when the client sends no `_count`: enough for a screen of results, small enough to stay well under 1 MB. */
export const DEFAULT_PAGE_SIZE = 50;

/** Largest `_offset` accepted. The generator's maximum of 200 patients makes about 15,000 Observations, so this leaves room for larger data folders. */
const MAX_OFFSET = 100_000;

// The repository matches only these parameter types. It silently matches nothing for number, quantity, composite and special.
const SUPPORTED_PARAM_TYPES = new Set(["string", "token", "reference", "date", "uri"]);

const MODIFIERS_BY_TYPE: Record<string, string[]> = {
  string: ["missing", "exact", "contains"],
  token: ["missing", "not"],
  reference: ["missing"],
  date: ["missing"],
  uri: ["missing"],
};

const UNSUPPORTED_CONTROLS = new Set(["_include", "_revinclude", "_elements", "_contained", "_containedType", "_has", "_type", "_text", "_content", "_filter", "_query", "_list", "_cursor"]);

/** A checked search of one resource type. */
export interface SandboxSearch {
  resourceType: string;
  /** The client's search parameters, with references written as `Type/id`; paging links repeat them. */
  query: Array<[string, string]>;
  sort: string | undefined;
  count: number;
  offset: number;
  /** `_summary=count`: return only the total. */
  summaryCount: boolean;
}

/**
 * Check the search parameters of `GET [base]/{resourceType}?...` and return
 * them normalized. Throws FhirServerError `invalid_search` or `not_supported`
 * with a message that names the parameter.
 */
export function parseSandboxSearch(resourceType: string, params: URLSearchParams, fhirBase: string): SandboxSearch {
  const search: SandboxSearch = { resourceType, query: [], sort: undefined, count: DEFAULT_PAGE_SIZE, offset: 0, summaryCount: false };

  for (const [name, value] of params) {
    if (name === "") continue;
    if (name.startsWith("_") && !getSearchParameter(resourceType, name)) {
      applyControlParameter(search, name, value);
      continue;
    }
    search.query.push(parseFilterParameter(resourceType, name, value, fhirBase));
  }
  return search;
}

function applyControlParameter(search: SandboxSearch, name: string, value: string): void {
  switch (name) {
    case "_count":
      search.count = parseWholeNumber(name, value, DEFAULT_MAX_SEARCH_COUNT);
      return;
    case "_offset":
      search.offset = parseWholeNumber(name, value, MAX_OFFSET);
      return;
    case "_sort":
      validateSort(search.resourceType, value);
      search.sort = value;
      return;
    case "_summary":
      if (value !== "count" && value !== "false") throw new FhirServerError("not_supported", `"_summary=${value}" is not supported. Use "_summary=count" or leave it out.`);
      search.summaryCount = value === "count";
      return;
    case "_format":
      if (!value.includes("json")) throw new FhirServerError("not_supported", `"_format=${value}" is not supported, because the sandbox returns JSON only.`);
      return;
    case "_total":
    case "_pretty":
      // Totals are always exact and JSON is never pretty-printed, so both are ignored.
      return;
  }
  if (UNSUPPORTED_CONTROLS.has(name.split(":")[0] ?? name)) {
    throw new FhirServerError("not_supported", `"${name}" is not supported by the sandbox FHIR server. Remove it and fetch related resources with separate requests.`);
  }
  throw new FhirServerError("invalid_search", `Unknown search parameter "${name}" for ${search.resourceType}.`);
}

function parseWholeNumber(name: string, value: string, max: number): number {
  const number = /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
  if (!(number <= max)) throw new FhirServerError("invalid_search", `"${name}" must be a whole number from 0 to ${max}, got "${value}".`);
  return number;
}

function validateSort(resourceType: string, value: string): void {
  for (const field of value.split(",")) {
    const code = field.startsWith("-") ? field.slice(1) : field;
    const param = getSearchParameter(resourceType, code);
    if (!param || !SUPPORTED_PARAM_TYPES.has(param.type ?? "")) {
      throw new FhirServerError("invalid_search", `"_sort" names "${code}", which is not a sortable search parameter of ${resourceType}.`);
    }
  }
}

function parseFilterParameter(resourceType: string, name: string, value: string, fhirBase: string): [string, string] {
  if (name.includes(".")) throw new FhirServerError("not_supported", `Chained search parameter "${name}" is not supported by the sandbox FHIR server.`);

  const [code = "", modifier] = name.split(":", 2);
  const param = getSearchParameter(resourceType, code);
  if (!param) throw new FhirServerError("invalid_search", `Unknown search parameter "${code}" for ${resourceType}.`);
  if (!SUPPORTED_PARAM_TYPES.has(param.type ?? "")) {
    throw new FhirServerError("not_supported", `Search parameter "${code}" has type ${param.type}, which the sandbox FHIR server cannot search.`);
  }
  if (value === "") throw new FhirServerError("invalid_search", `Search parameter "${name}" has no value.`);

  if (param.type === "reference") return parseReferenceParameter(param, code, modifier, value, fhirBase);
  if (modifier !== undefined && !MODIFIERS_BY_TYPE[param.type ?? ""]?.includes(modifier)) {
    throw new FhirServerError("not_supported", `Modifier ":${modifier}" is not supported on "${code}". Use one of: ${MODIFIERS_BY_TYPE[param.type ?? ""]?.join(", ")}.`);
  }
  return [name, value];
}

/**
 * Rewrite each reference to `Type/id`, as the repository compares references
 * as strings: `patient=123` becomes `patient=Patient/123`, `subject:Patient=123`
 * becomes `subject=Patient/123`, and an absolute URL under the FHIR base loses the base.
 */
function parseReferenceParameter(param: SearchParameter, code: string, modifier: string | undefined, value: string, fhirBase: string): [string, string] {
  if (modifier === "missing") return [`${code}:missing`, value];

  const targets = param.target ?? [];
  if (modifier !== undefined && !targets.includes(modifier as (typeof targets)[number])) {
    throw new FhirServerError("not_supported", `Modifier ":${modifier}" is not supported on "${code}". Use a resource type it can point to, or ":missing".`);
  }
  const typeOfBareId = modifier ?? (targets.length === 1 ? targets[0] : undefined);

  const references = value.split(",").map((item) => {
    const relative = item.startsWith(`${fhirBase}/`) ? item.slice(fhirBase.length + 1) : item;
    if (relative.includes("/")) return relative;
    if (typeOfBareId === undefined) {
      throw new FhirServerError("invalid_search", `"${code}=${item}" is ambiguous. Write the reference as Type/id, for example ${code}=Patient/${item}.`);
    }
    return `${typeOfBareId}/${relative}`;
  });
  return [code, references.join(",")];
}

/** Build the @medplum/core search request for `search`, adding the filter that keeps it within `confinement`. */
export function toSearchRequest(search: SandboxSearch, confinement: SearchConfinement): SearchRequest {
  const query: Record<string, string[]> = {};
  for (const [name, value] of search.query) (query[name] ??= []).push(value);
  if (search.sort !== undefined) query._sort = [search.sort];

  let request: SearchRequest;
  try {
    request = parseSearchRequest(search.resourceType as Resource["resourceType"], query);
  } catch (error) {
    const message = error instanceof OperationOutcomeError ? error.message : "The search parameters could not be parsed.";
    throw new FhirServerError("invalid_search", message, { cause: error });
  }

  request.offset = search.offset;
  request.count = search.summaryCount ? 0 : search.count;
  if (confinement.patient !== undefined) {
    const filter = patientFilter(search.resourceType, confinement.patient);
    if (filter) request.filters = [...(request.filters ?? []), filter];
  }
  return request;
}

function patientFilter(resourceType: string, patientId: string): Filter | undefined {
  if (resourceType === "Patient") return { code: "_id", operator: Operator.EQUALS, value: patientId };
  const [code] = getPatientCompartmentParams(resourceType);
  return code === undefined ? undefined : { code, operator: Operator.EQUALS, value: `Patient/${patientId}` };
}

/**
 * Turn the repository's result into the searchset Bundle sent to the client:
 * absolute `fullUrl`s, `search.mode` and absolute `self`, `first`,
 * `previous` and `next` links under `fhirBase`.
 */
export function buildSearchBundle(search: SandboxSearch, result: Bundle, fhirBase: string): Bundle {
  const total = result.total ?? 0;
  const entry = (result.entry ?? []).map(({ resource }) => ({
    fullUrl: `${fhirBase}/${resource?.resourceType}/${resource?.id}`,
    resource,
    search: { mode: "match" as const },
  }));

  return {
    resourceType: "Bundle",
    type: "searchset",
    total,
    link: buildPagingLinks(search, total, fhirBase),
    ...(entry.length > 0 ? { entry } : {}),
  };
}

function buildPagingLinks(search: SandboxSearch, total: number, fhirBase: string): BundleLink[] {
  const pageUrl = (offset: number) => {
    const params = new URLSearchParams(search.query);
    if (search.sort !== undefined) params.set("_sort", search.sort);
    if (search.summaryCount) params.set("_summary", "count");
    params.set("_count", String(search.count));
    params.set("_offset", String(offset));
    return `${fhirBase}/${search.resourceType}?${params.toString()}`;
  };

  const links: BundleLink[] = [{ relation: "self", url: pageUrl(search.offset) }];
  if (search.summaryCount || search.count === 0) return links;

  links.push({ relation: "first", url: pageUrl(0) });
  if (search.offset > 0) links.push({ relation: "previous", url: pageUrl(Math.max(0, search.offset - search.count)) });
  if (search.offset + search.count < total) links.push({ relation: "next", url: pageUrl(search.offset + search.count) });
  return links;
}
