"use client";

import { useQuery } from "@tanstack/react-query";
import { fetchLaunchFhir } from "@/lib/fhir/client-fetch";
import { conceptText, type CodeableConcept, type Patient } from "@/lib/fhir/format";
import { QueryError } from "./patient-view";

interface Bundle<T> {
  resourceType: "Bundle";
  total?: number;
  entry?: Array<{ resource?: T }>;
}

interface ClinicalResource {
  resourceType: string;
  id?: string;
  code?: CodeableConcept;
  medicationCodeableConcept?: CodeableConcept;
  effectiveDateTime?: string;
  onsetDateTime?: string;
  authoredOn?: string;
  recordedDate?: string;
  valueQuantity?: { value?: number; unit?: string };
  valueString?: string;
  valueCodeableConcept?: CodeableConcept;
  component?: Array<{ code?: CodeableConcept; valueQuantity?: { value?: number; unit?: string } }>;
  status?: string;
  clinicalStatus?: CodeableConcept;
  interpretation?: CodeableConcept[];
}

interface SectionSpec {
  title: string;
  query: (patientId: string) => string;
  label: (resource: ClinicalResource) => string;
  detail: (resource: ClinicalResource) => string;
}

/** UCUM codes that Synthea and others put in `unit`, written as clinicians read them. */
const UNIT_LABELS: Record<string, string> = { "mm[Hg]": "mmHg", "/min": "/min", "[lb_av]": "lb", "[in_i]": "in", "Cel": "°C", "kg/m2": "kg/m²" };

function quantity(value?: { value?: number; unit?: string }): string {
  if (typeof value?.value !== "number") return "";
  const unit = value.unit ? (UNIT_LABELS[value.unit] ?? value.unit) : "";
  return `${value.value}${unit ? ` ${unit}` : ""}`;
}

/** Interpretation codes (HL7 v3 ObservationInterpretation) that mark a value outside its reference range. */
const ABNORMAL_CODES = new Set(["H", "HH", "L", "LL", "A", "AA", "HU", "LU"]);

function isAbnormal(resource: ClinicalResource): boolean {
  return (resource.interpretation ?? []).some((concept) => concept.coding?.some((coding) => coding.code !== undefined && ABNORMAL_CODES.has(coding.code)));
}

function capitalized(text: string | undefined): string {
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : "";
}

function observationValue(resource: ClinicalResource): string {
  if (resource.valueQuantity) return quantity(resource.valueQuantity);
  if (typeof resource.valueString === "string") return resource.valueString;
  if (resource.valueCodeableConcept) return conceptText(resource.valueCodeableConcept);
  const parts = (resource.component ?? []).map((part) => quantity(part.valueQuantity)).filter(Boolean);
  return parts.join(" / ");
}

function date(value?: string): string {
  return typeof value === "string" ? value.slice(0, 10) : "";
}

const SECTIONS: SectionSpec[] = [
  {
    title: "Recent observations",
    query: (id) => `Observation?patient=${id}&_sort=-date&_count=20`,
    label: (resource) => conceptText(resource.code),
    detail: (resource) => [observationValue(resource), date(resource.effectiveDateTime)].filter(Boolean).join(" · "),
  },
  {
    title: "Conditions",
    query: (id) => `Condition?patient=${id}&_count=50`,
    label: (resource) => conceptText(resource.code),
    detail: (resource) => [conceptText(resource.clinicalStatus), date(resource.onsetDateTime ?? resource.recordedDate)].filter(Boolean).join(" · "),
  },
  {
    title: "Medications",
    query: (id) => `MedicationRequest?patient=${id}&_count=50`,
    label: (resource) => conceptText(resource.medicationCodeableConcept),
    detail: (resource) => [capitalized(resource.status), date(resource.authoredOn)].filter(Boolean).join(" · "),
  },
  {
    title: "Allergies",
    query: (id) => `AllergyIntolerance?patient=${id}&_count=50`,
    label: (resource) => conceptText(resource.code),
    detail: (resource) => [conceptText(resource.clinicalStatus), date(resource.recordedDate)].filter(Boolean).join(" · "),
  },
];

function ClinicalSection({ launchId, patientId, spec }: { launchId: string; patientId: string; spec: SectionSpec }) {
  const query = useQuery({
    queryKey: ["section", launchId, spec.title, patientId],
    queryFn: () => fetchLaunchFhir<Bundle<ClinicalResource>>(launchId, spec.query(encodeURIComponent(patientId))),
  });
  const headingId = `section-${spec.title.replace(/\W+/g, "-").toLowerCase()}`;

  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{spec.title}</h2>
      {query.isPending ? <p role="status">Loading…</p> : null}
      {query.isError ? <QueryError error={query.error} onRetry={() => void query.refetch()} /> : null}
      {query.isSuccess ? <ResourceList bundle={query.data} spec={spec} /> : null}
    </section>
  );
}

function ResourceList({ bundle, spec }: { bundle: Bundle<ClinicalResource>; spec: SectionSpec }) {
  const resources = (bundle.entry ?? []).map((entry) => entry.resource).filter((resource): resource is ClinicalResource => Boolean(resource));
  if (resources.length === 0) return <p className="muted">None recorded.</p>;
  return (
    <ul className="resource-list">
      {resources.map((resource, index) => (
        <li key={resource.id ?? index}>
          <span>{spec.label(resource)}</span> <span className="muted">{spec.detail(resource)}</span>
          {isAbnormal(resource) ? <span className="flag-abnormal"> Abnormal</span> : null}
        </li>
      ))}
    </ul>
  );
}

function Demographics({ patient }: { patient: Patient }) {
  const address = patient.address?.[0];
  const addressText = address ? address.text ?? [...(address.line ?? []), address.city, address.state, address.postalCode, address.country].filter(Boolean).join(", ") : "";
  const phone = patient.telecom?.find((item) => item.system === "phone")?.value;
  const language = patient.communication?.[0]?.language;

  return (
    <section className="card" aria-labelledby="demographics-title">
      <h2 id="demographics-title">Demographics</h2>
      <dl className="facts">
        <dt>Address</dt>
        <dd>{addressText || "Not recorded"}</dd>
        <dt>Phone</dt>
        <dd>{phone ?? "Not recorded"}</dd>
        <dt>Language</dt>
        <dd>{language ? conceptText(language) : "Not recorded"}</dd>
        <dt>Marital status</dt>
        <dd>{patient.maritalStatus ? conceptText(patient.maritalStatus) : "Not recorded"}</dd>
      </dl>
    </section>
  );
}

/** Demographics and the patient's recent observations, conditions, medications and allergies. */
export function ClinicalSummary({ launchId, patient, patientId }: { launchId: string; patient: Patient; patientId: string }) {
  return (
    <>
      <Demographics patient={patient} />
      {SECTIONS.map((spec) => (
        <ClinicalSection key={spec.title} launchId={launchId} patientId={patientId} spec={spec} />
      ))}
    </>
  );
}
