/**
 * Display helpers for FHIR R4 data types. They take untrusted JSON and never
 * throw: a missing or malformed field gives a fallback text.
 */
export interface HumanName {
  use?: string;
  text?: string;
  family?: string;
  given?: string[];
  prefix?: string[];
  suffix?: string[];
  period?: { end?: string };
}

export interface Identifier {
  system?: string;
  value?: string;
  type?: { text?: string; coding?: Array<{ code?: string; display?: string }> };
}

export interface Patient {
  resourceType: "Patient";
  id?: string;
  name?: HumanName[];
  birthDate?: string;
  gender?: string;
  deceasedBoolean?: boolean;
  deceasedDateTime?: string;
  identifier?: Identifier[];
  telecom?: Array<{ system?: string; value?: string; use?: string }>;
  address?: Array<{ text?: string; line?: string[]; city?: string; state?: string; postalCode?: string; country?: string }>;
  communication?: Array<{ language?: { text?: string; coding?: Array<{ display?: string; code?: string }> } }>;
  maritalStatus?: { text?: string; coding?: Array<{ display?: string }> };
}

export interface CodeableConcept {
  text?: string;
  coding?: Array<{ system?: string; code?: string; display?: string }>;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string" && item.trim() !== "") : [];
}

/** Pick the name to show: `official`, then `usual`, then any current name, ignoring old and maiden names when possible. */
export function preferredName(names: HumanName[] | undefined): HumanName | undefined {
  const list = Array.isArray(names) ? names.filter((name) => name && typeof name === "object") : [];
  const current = list.filter((name) => name.use !== "old" && name.use !== "maiden" && !name.period?.end);
  return current.find((name) => name.use === "official") ?? current.find((name) => name.use === "usual") ?? current[0] ?? list[0];
}

/** Format a HumanName as "Prefix Given Family Suffix", falling back to its `text`. */
export function formatName(name: HumanName | undefined): string | undefined {
  if (!name) return undefined;
  const parts = [...strings(name.prefix), ...strings(name.given), ...(typeof name.family === "string" ? [name.family] : []), ...strings(name.suffix)];
  const joined = parts.join(" ").trim();
  if (joined) return joined;
  return typeof name.text === "string" && name.text.trim() ? name.text.trim() : undefined;
}

export function patientName(patient: Pick<Patient, "name"> | undefined): string {
  return formatName(preferredName(patient?.name)) ?? "Unnamed patient";
}

/** Return whole years between `birthDate` (YYYY, YYYY-MM or YYYY-MM-DD) and `on`, or undefined. */
export function ageInYears(birthDate: string | undefined, on: Date = new Date()): number | undefined {
  const match = typeof birthDate === "string" ? /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(birthDate) : null;
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = match[2] ? Number(match[2]) - 1 : 0;
  const day = match[3] ? Number(match[3]) : 1;
  let age = on.getUTCFullYear() - year;
  if (on.getUTCMonth() < month || (on.getUTCMonth() === month && on.getUTCDate() < day)) age -= 1;
  return age >= 0 ? age : undefined;
}

/** Pick the medical record number (`type` code MR), or else the first identifier with a value. */
export function primaryIdentifier(identifiers: Identifier[] | undefined): { label: string; value: string } | undefined {
  const list = Array.isArray(identifiers) ? identifiers.filter((item) => typeof item?.value === "string" && item.value) : [];
  const mrn = list.find((item) => item.type?.coding?.some((coding) => coding.code === "MR"));
  const chosen = mrn ?? list[0];
  if (!chosen?.value) return undefined;
  const label = mrn ? "MRN" : chosen.type?.text ?? chosen.type?.coding?.[0]?.display ?? "ID";
  return { label, value: chosen.value };
}

export function isDeceased(patient: Patient): boolean {
  return patient.deceasedBoolean === true || typeof patient.deceasedDateTime === "string";
}

/** Text of a CodeableConcept: `text`, then the first coding's display, then its code. */
export function conceptText(concept: CodeableConcept | undefined): string {
  if (!concept) return "Unknown";
  if (typeof concept.text === "string" && concept.text) return concept.text;
  const coding = Array.isArray(concept.coding) ? concept.coding.find((item) => item.display || item.code) : undefined;
  return coding?.display ?? coding?.code ?? "Unknown";
}

const SEX_LABELS: Record<string, string> = { male: "Male", female: "Female", other: "Other", unknown: "Unknown" };

export function sexLabel(gender: string | undefined): string {
  return (gender && SEX_LABELS[gender]) ?? "Not recorded";
}
