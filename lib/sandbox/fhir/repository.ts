import { evalFhirPathTyped, getSearchParameter, Operator, splitSearchOnComma, toTypedValue, type Filter, type SearchRequest, type WithId } from "@medplum/core";
import { MemoryRepository } from "@medplum/fhir-router";
import type { Bundle, HumanName, Resource } from "@medplum/fhirtypes";

/**
 * The in-memory repository of @medplum/fhir-router 4.5.2 with two search fixes:
 *
 * - String parameters (`name`, `family`, `given`, `address`) follow FHIR R4
 *   string search: case- and accent-insensitive, matching the start of a value
 *   by default, any part with `:contains`, and the whole value exactly with
 *   `:exact`. The stock repository matches a lower-cased substring of the
 *   formatted value, so `name=gomez` missed "Gómez".
 * - `_sort=a,b` sorts by `a` first. The stock repository sorts by each rule
 *   in turn, which left the last rule deciding the order.
 */
export class SandboxRepository extends MemoryRepository {
  override async search<T extends Resource>(request: SearchRequest<T>): Promise<Bundle<WithId<T>>> {
    const sortRules = request.sortRules ? [...request.sortRules].reverse() : undefined;
    const stringFilters = (request.filters ?? []).filter((filter) => isFoldedStringFilter(request.resourceType, filter));
    if (stringFilters.length === 0) return super.search({ ...request, sortRules });

    const otherFilters = (request.filters ?? []).filter((filter) => !stringFilters.includes(filter));
    const unpaged = await super.search({ ...request, sortRules, filters: otherFilters, offset: undefined, count: undefined });
    const matches = (unpaged.entry ?? []).filter(({ resource }) => resource && stringFilters.every((filter) => matchesStringFilter(resource, filter)));

    const start = request.offset ?? 0;
    const end = request.count === undefined ? undefined : start + request.count;
    const page = matches.slice(start, end);
    return { resourceType: "Bundle", type: "searchset", total: matches.length, ...(page.length > 0 ? { entry: page } : {}) };
  }
}

const FOLDED_OPERATORS = new Set<string>([Operator.EQUALS, Operator.CONTAINS, Operator.EXACT]);

function isFoldedStringFilter(resourceType: string, filter: Filter): boolean {
  return getSearchParameter(resourceType, filter.code)?.type === "string" && FOLDED_OPERATORS.has(filter.operator);
}

function matchesStringFilter(resource: Resource, filter: Filter): boolean {
  const expression = getSearchParameter(resource.resourceType, filter.code)?.expression;
  if (!expression) return false;

  const candidates = evalFhirPathTyped(expression, [toTypedValue(resource)]).flatMap(({ type, value }) => searchableStrings(type, value));
  return splitSearchOnComma(filter.value).some((filterValue) => candidates.some((candidate) => matchesString(candidate, filterValue, filter.operator)));
}

/**
 * Return the strings a string parameter matches on: each part of a HumanName
 * (and "given family", so `name=trey berge` works), each field of an Address,
 * or the value itself.
 */
function searchableStrings(type: string, value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (!value || typeof value !== "object") return [];
  if (type === "HumanName") {
    const name = value as HumanName;
    const givenThenFamily = [...(name.given ?? []), name.family].filter(Boolean).join(" ");
    return [name.text, givenThenFamily, name.family, ...(name.given ?? []), ...(name.prefix ?? []), ...(name.suffix ?? [])].filter((part): part is string => !!part);
  }
  return Object.values(value).flatMap((item) => (Array.isArray(item) ? item : [item])).filter((item): item is string => typeof item === "string");
}

function matchesString(candidate: string, filterValue: string, operator: string): boolean {
  if (operator === Operator.EXACT) return candidate === filterValue;
  const folded = foldForSearch(candidate);
  const foldedFilterValue = foldForSearch(filterValue);
  return operator === Operator.CONTAINS ? folded.includes(foldedFilterValue) : folded.startsWith(foldedFilterValue);
}

/** Lower-case `text` and strip its accents, so "Gómez" and "GOMEZ" compare equal. */
export function foldForSearch(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}
