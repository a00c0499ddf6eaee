import type { LaunchRecord } from "@/lib/session/launch-record";
import { ownPatientId } from "./callback";
import { grantsRead, hasScope } from "./scopes";

/** Explanation shown instead of the patient view when the grant cannot cover the patient in context. */
export interface ContextProblem {
  title: string;
  message: string;
}

/**
 * Return whether the user let the app use the EHR's launch context. On an EHR
 * launch the `launch` scope grants it. A standalone launch has no EHR context to share.
 */
export function launchContextShared(record: LaunchRecord): boolean {
  return record.kind !== "ehr" || hasScope(record.tokens?.scope, "launch");
}

/**
 * Return why a completed launch cannot show its patient, or undefined when the
 * grant covers it: the user refused `launch` on an EHR launch, refused every
 * patient data scope, or signed in as a different patient than the EHR opened.
 */
export function patientContextProblem(record: LaunchRecord): ContextProblem | undefined {
  const scope = record.tokens?.scope ?? "";
  const patient = record.context?.patient;
  const ownPatient = ownPatientId(record.context?.fhirUser);

  if (!launchContextShared(record)) {
    return {
      title: "The EHR's patient was not shared",
      message: "You did not allow the app to use the patient that is open in your EHR (the \"launch\" permission), so it cannot show that patient. Open the app again and allow \"launch\".",
    };
  }
  if (!grantsRead(scope, "patient", "Patient") && !grantsRead(scope, "user", "Patient")) {
    return {
      title: "No access to patient data",
      message: "You did not allow the app to read patient data, so it has nothing to show. Open the app again and allow the patient data permissions.",
    };
  }
  if (ownPatient && patient && ownPatient !== patient) {
    return {
      title: "Signed in as another patient",
      message: "You signed in as a patient other than the one open in the EHR, and a patient can see only their own record. Open the app again and sign in as the right person.",
    };
  }
  return undefined;
}
