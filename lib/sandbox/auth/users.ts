import { getSandboxPractitioner, listSandboxPatients, SANDBOX_PRACTITIONER_ID } from "@/lib/sandbox/fhir/store";

/**
 * People who can sign in to the sandbox: the one practitioner, and one
 * patient user per sandbox patient, whose own record is their patient context.
 */
export interface SandboxUser {
  /** The `sub` of tokens issued to this user. */
  id: string;
  role: "practitioner" | "patient";
  name: string;
  /** FHIR reference to the user's own resource, relative to the FHIR base. */
  fhirUser: string;
  /** For a patient user, the id of their Patient resource. */
  patientId?: string;
  birthDate?: string;
}

const PATIENT_USER_PREFIX = "patient-";

interface HumanNameLike {
  text?: string;
  prefix?: string[];
  given?: string[];
  family?: string;
}

/** Return a display name from a FHIR HumanName list, falling back to `fallback`. */
function displayName(names: HumanNameLike[] | undefined, fallback: string): string {
  const name = names?.[0];
  if (!name) return fallback;
  if (name.text) return name.text;
  const parts = [...(name.prefix ?? []), ...(name.given ?? []), name.family].filter(Boolean);
  return parts.length > 0 ? parts.join(" ") : fallback;
}

/** Return the sandbox practitioner as a user. */
export async function getPractitionerUser(): Promise<SandboxUser> {
  const practitioner = await getSandboxPractitioner();
  return {
    id: SANDBOX_PRACTITIONER_ID,
    role: "practitioner",
    name: displayName(practitioner.name, "Sandbox practitioner"),
    fhirUser: `Practitioner/${SANDBOX_PRACTITIONER_ID}`,
  };
}

/** Return every user who can sign in: the practitioner first, then the patients in store order. */
export async function listSandboxUsers(): Promise<SandboxUser[]> {
  const [practitioner, patients] = await Promise.all([getPractitionerUser(), listSandboxPatients()]);
  const patientUsers = patients.map(
    (patient): SandboxUser => ({
      id: `${PATIENT_USER_PREFIX}${patient.id}`,
      role: "patient",
      name: patient.name,
      fhirUser: `Patient/${patient.id}`,
      patientId: patient.id,
      birthDate: patient.birthDate,
    }),
  );
  return [practitioner, ...patientUsers];
}

/** Return the user whose id is `id`, or undefined. */
export async function findSandboxUser(id: string | undefined): Promise<SandboxUser | undefined> {
  if (!id) return undefined;
  return (await listSandboxUsers()).find((user) => user.id === id);
}
