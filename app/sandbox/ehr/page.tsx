import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getConfig } from "@/lib/config";
import { SIMULATED_ERRORS } from "@/lib/sandbox/contracts";
import { SIMULATED_ERROR_LABELS } from "@/lib/sandbox/ehr/launch-options";
import { listSandboxPatients } from "@/lib/sandbox/fhir/store";
import { EhrHeader } from "./ehr-header";
import { LaunchForm } from "./launch-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sandbox EHR" };

function LaunchOptions() {
  return (
    <fieldset className="card">
      <legend>Launch options</legend>
      <label>
        Simulated error{" "}
        <select name="sim_error" defaultValue="">
          <option value="">None</option>
          {SIMULATED_ERRORS.map((error) => (
            <option key={error} value={error}>
              {SIMULATED_ERROR_LABELS[error]} ({error})
            </option>
          ))}
        </select>
      </label>
      <fieldset>
        <legend>Patient banner (need_patient_banner)</legend>
        <label>
          <input type="radio" name="need_patient_banner" value="true" defaultChecked /> The app shows the patient banner
        </label>
        <label>
          <input type="radio" name="need_patient_banner" value="false" /> The EHR already shows the patient
        </label>
      </fieldset>
      <label>
        App style (smart_style_url){" "}
        <select name="smart_style" defaultValue="sandbox">
          <option value="sandbox">Sandbox EHR style</option>
          <option value="none">None</option>
        </select>
      </label>
      <label>
        Intent <input type="text" name="intent" maxLength={200} placeholder="for example reconcile-medications" />
      </label>
      <fieldset>
        <legend>Open the app</legend>
        <label>
          <input type="radio" name="display" value="iframe" defaultChecked /> Inside the EHR
        </label>
        <label>
          <input type="radio" name="display" value="window" /> In a new window
        </label>
      </fieldset>
    </fieldset>
  );
}

/** Home page of the EHR simulator: the patient list, each with a button that launches the app. */
export default async function EhrHomePage() {
  if (!getConfig().sandbox.enabled) notFound();

  const patients = await listSandboxPatients();
  return (
    <main>
      <EhrHeader />
      <h1>Patients</h1>
      <LaunchForm action="/sandbox/ehr/launch">
        <LaunchOptions />
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Birth date</th>
              <th scope="col">Gender</th>
              <th scope="col">
                <span className="muted">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {patients.map((patient) => (
              <tr key={patient.id}>
                <td>{patient.name}</td>
                <td>{patient.birthDate ?? "unknown"}</td>
                <td>{patient.gender ?? "unknown"}</td>
                <td>
                  <button type="submit" name="patient" value={patient.id} aria-label={`Open app for ${patient.name}${patient.birthDate ? `, born ${patient.birthDate}` : ""}`}>
                    Open app
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </LaunchForm>
    </main>
  );
}
