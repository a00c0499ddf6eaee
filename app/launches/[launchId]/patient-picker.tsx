"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useHydrated } from "@/app/_components/use-hydrated";
import { fetchLaunchFhir } from "@/lib/fhir/client-fetch";
import { patientName, type Patient } from "@/lib/fhir/format";
import { QueryError } from "./patient-view";

interface PatientBundle {
  total?: number;
  entry?: Array<{ resource?: Patient }>;
  link?: Array<{ relation?: string; url?: string }>;
}

/** Path of a proxied `next`/`previous` link, relative to the launch's proxy base. */
function pagePath(bundle: PatientBundle | undefined, relation: string, launchId: string): string | undefined {
  const url = bundle?.link?.find((link) => link.relation === relation)?.url;
  const prefix = `/api/launches/${launchId}/fhir/`;
  if (!url) return undefined;
  const path = new URL(url, window.location.origin);
  return path.origin === window.location.origin && path.pathname.startsWith(prefix) ? path.pathname.slice(prefix.length) + path.search : undefined;
}

/** Searchable, paged patient list for a practitioner's standalone launch; choosing posts the patient to the launch. */
export function PatientPicker({ launchId }: { launchId: string }) {
  const [draft, setDraft] = useState("");
  const [path, setPath] = useState("Patient?_count=10&_sort=family");
  const hydrated = useHydrated();

  const query = useQuery({
    queryKey: ["patient-search", launchId, path],
    queryFn: () => fetchLaunchFhir<PatientBundle>(launchId, path),
  });
  const patients = (query.data?.entry ?? []).map((entry) => entry.resource).filter((resource): resource is Patient => Boolean(resource?.id));
  const next = pagePath(query.data, "next", launchId);
  const previous = pagePath(query.data, "previous", launchId);

  return (
    <section className="card" aria-labelledby="picker-title">
      <h1 id="picker-title">Choose a patient</h1>
      <form
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          const name = draft.trim();
          setPath(name ? `Patient?name=${encodeURIComponent(name)}&_count=10` : "Patient?_count=10&_sort=family");
        }}
      >
        <label htmlFor="patient-search">Patient name</label>
        <input id="patient-search" type="search" value={draft} onChange={(event) => setDraft(event.target.value)} autoComplete="off" />{" "}
        <button type="submit" disabled={!hydrated}>
          Search
        </button>
      </form>

      {query.isPending ? <p role="status">Searching…</p> : null}
      {query.isError ? <QueryError error={query.error} onRetry={() => void query.refetch()} /> : null}
      {query.isSuccess && patients.length === 0 ? <p role="status">No patients found.</p> : null}
      <ul className="picker-list" aria-label="Patients">
        {patients.map((patient) => (
          <li key={patient.id}>
            <form method="post" action={`/api/launches/${launchId}/patient`}>
              <input type="hidden" name="patientId" value={patient.id} />
              <button type="submit" className="secondary" aria-label={`Choose ${patientName(patient)}${patient.birthDate ? `, born ${patient.birthDate}` : ""}`}>
                {patientName(patient)}
              </button>{" "}
              <span className="muted">{patient.birthDate ?? "Birth date not recorded"}</span>
            </form>
          </li>
        ))}
      </ul>
      <div className="pager">
        {previous ? (
          <button type="button" className="secondary" onClick={() => setPath(previous)}>
            Previous page
          </button>
        ) : null}{" "}
        {next ? (
          <button type="button" className="secondary" onClick={() => setPath(next)}>
            Next page
          </button>
        ) : null}
      </div>
    </section>
  );
}
