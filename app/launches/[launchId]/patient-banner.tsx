import { ageInYears, isDeceased, patientName, primaryIdentifier, sexLabel, type Patient } from "@/lib/fhir/format";

/** The patient banner: name, birth date and age, sex and an identifier, as clinicians expect at the top of a chart. */
export function PatientBanner({ patient }: { patient: Patient }) {
  const name = patientName(patient);
  const age = ageInYears(patient.birthDate);
  const identifier = primaryIdentifier(patient.identifier);
  const deceased = isDeceased(patient);

  return (
    <section className="card patient-banner" aria-label="Patient banner">
      <h1 data-testid="patient-name">{name}</h1>
      <dl className="banner-facts">
        <div>
          <dt>Birth date</dt>
          <dd data-testid="patient-birth-date">
            {patient.birthDate ? `${patient.birthDate}${age !== undefined && !deceased ? ` (${age} years)` : ""}` : "Not recorded"}
          </dd>
        </div>
        <div>
          <dt>Sex</dt>
          <dd>{sexLabel(patient.gender)}</dd>
        </div>
        <div>
          <dt>{identifier?.label ?? "Identifier"}</dt>
          <dd>{identifier?.value ?? "None recorded"}</dd>
        </div>
        {deceased ? (
          <div>
            <dt>Status</dt>
            <dd className="badge denied">Deceased{patient.deceasedDateTime ? ` ${patient.deceasedDateTime.slice(0, 10)}` : ""}</dd>
          </div>
        ) : null}
      </dl>
    </section>
  );
}
