import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { isResourceType, parseSearchRequest } from "@medplum/core";
import type { Observation, Patient, Resource } from "@medplum/fhirtypes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractBundleResources, loadBundleDirectory, loadBundleFile } from "@/lib/sandbox/fhir/bundle-loader";
import { loadFhirDefinitions } from "@/lib/sandbox/fhir/definitions";
import { SandboxRepository } from "@/lib/sandbox/fhir/repository";
import { displayName, getSandboxPractitioner, getSandboxRepository, listSandboxPatients, SANDBOX_PRACTITIONER_ID } from "@/lib/sandbox/fhir/store";
import { FIXTURES_DIR, TEST_SESSION_SECRET } from "./support/app-server";

const TREY_BERGE = "f46d1649-8a02-4de8-8cff-f76fae267d3a";

/** Reference paths (`Type/id`) anywhere in a resource. */
function referencesIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencesIn);
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, item]) => (key === "reference" && typeof item === "string" ? [item] : referencesIn(item)));
}

async function repositoryWith(resources: Resource[]): Promise<SandboxRepository> {
  const repository = new SandboxRepository();
  for (const resource of resources) await repository.createResource(resource);
  return repository;
}

describe("bundle loader on the fixtures", async () => {
  const fileNames = (await readdir(FIXTURES_DIR)).filter((name) => name.endsWith(".json")).sort();
  let repository: SandboxRepository;
  let allResources: Resource[];

  beforeAll(async () => {
    loadFhirDefinitions();
    const files = await loadBundleDirectory(FIXTURES_DIR);
    allResources = files.flatMap((file) => file.resources);
    repository = await repositoryWith(allResources);
  });

  it("finds every fixture file", () => {
    expect(fileNames).toHaveLength(11);
  });

  it.each(fileNames)("loads %s without problems", async (name) => {
    const loaded = await loadBundleFile(path.join(FIXTURES_DIR, name));

    expect(loaded.problems).toEqual([]);
    expect(loaded.resources.length).toBeGreaterThan(0);
    expect(loaded.resources.filter((resource) => resource.resourceType === "Patient").length).toBeGreaterThan(0);
    for (const resource of loaded.resources) {
      expect(isResourceType(resource.resourceType), resource.resourceType).toBe(true);
      expect(resource.id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
    }
  });

  it("leaves no urn:uuid references", () => {
    const dangling = allResources.flatMap(referencesIn).filter((reference) => reference.startsWith("urn:uuid:"));

    expect(dangling).toEqual([]);
  });

  it("loads all twelve patients", async () => {
    const patients = await repository.search<Patient>({ resourceType: "Patient" });

    expect(patients.total).toBe(12);
  });

  it("finds Trey Berge's 116 observations", async () => {
    const result = await repository.search<Observation>(parseSearchRequest("Observation", { patient: `Patient/${TREY_BERGE}` }));

    expect(result.total).toBe(116);
  });

  it("keeps the ids of the HL7 examples", async () => {
    const peter = await repository.readResource<Patient>("Patient", "example");

    expect(peter.name?.[0]?.family).toBe("Chalmers");
  });

  it("searches names without regard to accents or case", async () => {
    const result = await repository.search<Patient>(parseSearchRequest("Patient", { name: "GOMEZ" }));

    expect(result.entry?.map((entry) => entry.resource?.name?.[0]?.family)).toEqual(["Gómez"]);
  });

  it("matches the start of a name by default", async () => {
    const prefix = await repository.search<Patient>(parseSearchRequest("Patient", { family: "o'kee" }));
    const middle = await repository.search<Patient>(parseSearchRequest("Patient", { family: "keefe" }));
    const contains = await repository.search<Patient>(parseSearchRequest("Patient", { "family:contains": "keefe" }));

    expect(prefix.total).toBe(1);
    expect(middle.total).toBe(0);
    expect(contains.total).toBe(1);
  });

  it("matches :exact with case and accents", async () => {
    const exact = await repository.search<Patient>(parseSearchRequest("Patient", { "family:exact": "Ordóñez" }));
    const folded = await repository.search<Patient>(parseSearchRequest("Patient", { "family:exact": "ordonez" }));

    expect(exact.total).toBe(1);
    expect(folded.total).toBe(0);
  });

  it("pages string searches after matching", async () => {
    const page = await repository.search<Patient>({ ...parseSearchRequest("Patient", { "name:contains": "a" }), count: 2, offset: 1 });
    const all = await repository.search<Patient>(parseSearchRequest("Patient", { "name:contains": "a" }));

    expect(page.entry).toHaveLength(2);
    expect(page.total).toBe(all.total);
    expect(page.entry?.map((entry) => entry.resource?.id)).toEqual(all.entry?.slice(1, 3).map((entry) => entry.resource?.id));
  });

  it("sorts by the first _sort rule first", async () => {
    const result = await repository.search<Patient>(parseSearchRequest("Patient", { _sort: "gender,-birthdate", gender: "male,female" }));
    const keys = (result.entry ?? []).map(({ resource }) => `${resource?.gender}|${resource?.birthDate}`);
    const genders = keys.map((key) => key.split("|")[0]);

    expect(genders).toEqual([...genders].sort());
    const males = keys.filter((key) => key.startsWith("male|")).map((key) => key.split("|")[1]);
    expect(males).toEqual([...males].sort().reverse());
  });
});

describe("extractBundleResources", () => {
  it("assigns ids from urn:uuid fullUrls and rewrites references", () => {
    const loaded = extractBundleResources(
      {
        resourceType: "Bundle",
        type: "collection",
        entry: [
          { fullUrl: "urn:uuid:11111111-2222-4333-8444-555555555555", resource: { resourceType: "Patient" } },
          {
            fullUrl: "urn:uuid:66666666-7777-4888-9999-aaaaaaaaaaaa",
            resource: { resourceType: "Observation", subject: { reference: "urn:uuid:11111111-2222-4333-8444-555555555555" } },
          },
        ],
      },
      "inline.json",
    );

    expect(loaded.problems).toEqual([]);
    expect(loaded.resources[0]?.id).toBe("11111111-2222-4333-8444-555555555555");
    expect((loaded.resources[1] as Observation).subject?.reference).toBe("Patient/11111111-2222-4333-8444-555555555555");
  });

  it("takes the id from a PUT request", () => {
    const loaded = extractBundleResources(
      { resourceType: "Bundle", type: "transaction", entry: [{ resource: { resourceType: "Patient" }, request: { method: "PUT", url: "Patient/abc" } }] },
      "put.json",
    );

    expect(loaded.resources[0]?.id).toBe("abc");
  });

  it("derives stable ids when nothing else gives one", () => {
    const bundle = () => ({ resourceType: "Bundle", type: "collection", entry: [{ resource: { resourceType: "Patient" } }] });

    const first = extractBundleResources(bundle(), "/data/a.json").resources[0]?.id;
    const second = extractBundleResources(bundle(), "/other/a.json").resources[0]?.id;

    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(second).toBe(first);
  });

  it("reports bad entries without their content", () => {
    const loaded = extractBundleResources(
      {
        resourceType: "Bundle",
        type: "collection",
        entry: [
          { resource: { resourceType: "Patient", id: "good" } },
          { resource: { resourceType: "Patient", id: "bad id with spaces", name: [{ family: "Secretname" }] } },
          { resource: { noType: true } },
          "junk",
          { request: { method: "DELETE", url: "Patient/x" } },
        ],
      },
      "mixed.json",
    );

    expect(loaded.resources.map((resource) => resource.id)).toEqual(["good"]);
    expect(loaded.problems).toEqual(["entry 1: Patient has an invalid id", "entry 2: the resource has no valid resourceType", "entry 3: not an object"]);
    expect(loaded.problems.join(" ")).not.toContain("Secretname");
  });

  it("accepts a single resource", () => {
    const loaded = extractBundleResources({ resourceType: "Patient", id: "solo" }, "solo.json");

    expect(loaded.resources.map((resource) => resource.id)).toEqual(["solo"]);
  });
});

describe("loadBundleDirectory", () => {
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "sandbox-fhir-"));
    await writeFile(path.join(directory, "a-broken.json"), "{ not json");
    await writeFile(path.join(directory, "b-good.json"), JSON.stringify({ resourceType: "Bundle", type: "collection", entry: [{ resource: { resourceType: "Patient", id: "p" } }] }));
    await writeFile(path.join(directory, "c-notes.txt"), "ignored");
    await writeFile(path.join(directory, "d-array.json"), "[1, 2]");
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("skips bad files and keeps going", async () => {
    const files = await loadBundleDirectory(directory);

    expect(files.map((file) => path.basename(file.file))).toEqual(["a-broken.json", "b-good.json", "d-array.json"]);
    expect(files[0]?.problems).toEqual(["invalid JSON"]);
    expect(files[1]?.resources.map((resource) => resource.id)).toEqual(["p"]);
    expect(files[2]?.problems).toEqual(["the file is not a FHIR resource or Bundle"]);
  });

  it("rejects a missing folder", async () => {
    await expect(loadBundleDirectory(path.join(directory, "missing"))).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("displayName", () => {
  it.each([
    [[{ use: "maiden", family: "Corkery", given: ["Patria"] }, { use: "official", family: "Schimmel", given: ["Patria"] }], "Patria Schimmel"],
    [[{ use: "nickname", given: ["Jim"] }, { use: "usual", given: ["Jim"], family: "Chalmers" }], "Jim Chalmers"],
    [[{ text: "张无忌" }], "张无忌"],
    [[{ use: "official", text: "  " }], "Unnamed patient"],
    [undefined, "Unnamed patient"],
  ] as const)("names %j as %s", (names, expected) => {
    expect(displayName(names as never)).toBe(expected);
  });
});

describe("sandbox store on the fixtures", () => {
  beforeAll(() => {
    // getConfig() reads the environment on first use, which is in this block.
    process.env.SESSION_SECRET = TEST_SESSION_SECRET;
    process.env.SANDBOX_ENABLED = "true";
    process.env.SANDBOX_DATA_DIR = FIXTURES_DIR;
  });

  it("lists the twelve patients by display name", async () => {
    const patients = await listSandboxPatients();

    expect(patients).toHaveLength(12);
    expect(patients.map((patient) => patient.name)).toEqual([...patients.map((patient) => patient.name)].sort((a, b) => a.localeCompare(b, "en")));
    expect(patients).toContainEqual({ id: TREY_BERGE, name: "Trey Berge", birthDate: "1913-01-13", gender: "male" });
    expect(patients).toContainEqual({ id: "ch-example", name: "张无忌", birthDate: "1974-12-25", gender: "male" });
    expect(patients).toContainEqual({ id: "infant-fetal", name: "Unnamed patient", gender: "male" });
    expect(patients).toContainEqual({ id: "pat1", name: "Duck Donald", gender: "male" });
  });

  it("returns copies of the list", async () => {
    const first = await listSandboxPatients();
    first[0]!.name = "changed";

    expect((await listSandboxPatients())[0]?.name).not.toBe("changed");
  });

  it("contains the sandbox practitioner", async () => {
    const repository = await getSandboxRepository();
    const practitioner = await repository.readResource("Practitioner", SANDBOX_PRACTITIONER_ID);

    expect(practitioner).toMatchObject({ resourceType: "Practitioner", id: "sandbox-practitioner", name: [{ text: "Dr. Alex Rivera" }] });
    expect(getSandboxPractitioner().name?.[0]?.family).toBe("Rivera");
  });
});
