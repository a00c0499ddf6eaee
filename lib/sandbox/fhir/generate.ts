import type {
  AllergyIntolerance,
  Bundle,
  BundleEntry,
  CodeableConcept,
  Condition,
  Encounter,
  Immunization,
  MedicationRequest,
  Observation,
  ObservationComponent,
  Patient,
  Practitioner,
  Reference,
  Resource,
} from "@medplum/fhirtypes";
import {
  ACUTE_CONDITION,
  ALLERGIES,
  CHRONIC_CONDITIONS,
  ENCOUNTER_TYPES,
  FAMILY_NAMES,
  FAMILY_NAMES_WITH_APOSTROPHE,
  GIVEN_NAMES,
  LABS,
  SYSTEMS,
  VACCINES,
  VITALS,
  type Code,
  type ConditionSpec,
  type LabTest,
} from "./generate-codes";
import { SANDBOX_PRACTITIONER_ID } from "./practitioner";
import { mixSeed, SeededRandom } from "./seeded-random";

/**
 * A deterministic generator of synthetic FHIR R4 patient records for the
 * sandbox: the same seed and patient count always give the same Bundle,
 * byte for byte. Every person is made up from name lists and random numbers.
 */

/** Last day of every generated history. Fixed, so that output does not depend on the day it runs. */
export const GENERATED_HISTORY_END = "2025-06-30";

/** Identifier system of generated MRNs: under the HL7 example OID root 2.16.840.1.113883.19, which stands for no real organization. */
export const SANDBOX_MRN_SYSTEM = "urn:oid:2.16.840.1.113883.19.5";

export interface GeneratorOptions {
  seed: number;
  patientCount: number;
}

const DAY_MS = 86_400_000;
const YEAR_MS = 365.25 * DAY_MS;
const HISTORY_END_MS = Date.parse(`${GENERATED_HISTORY_END}T23:59:59Z`);
const PRACTITIONER: Reference<Practitioner> = { reference: `Practitioner/${SANDBOX_PRACTITIONER_ID}`, display: "Dr. Alex Rivera" };

/** Everything the builders of one patient's record share. */
interface RecordContext {
  random: SeededRandom;
  patient: Reference<Patient>;
  sex: "female" | "male";
  birthMs: number;
  conditions: ConditionSpec[];
  baseline: Baseline;
  entries: BundleEntry[];
}

/** A patient's usual vital signs, which each visit varies a little. */
interface Baseline {
  heightCm: number;
  weightKg: number;
  heartRate: number;
  systolic: number;
  diastolic: number;
}

/**
 * Generate `patientCount` synthetic patients from `seed` as a `collection`
 * Bundle with `urn:uuid:` fullUrls and references. Patient number `i` is the
 * same whatever `patientCount` is. The first patient's family name has an
 * apostrophe and the first two given names have accents.
 */
export function generateSandboxBundle(options: GeneratorOptions): Bundle {
  const entry: BundleEntry[] = [];
  for (let index = 0; index < options.patientCount; index++) {
    entry.push(...generatePatientRecord(options.seed, index));
  }
  return { resourceType: "Bundle", type: "collection", entry };
}

function generatePatientRecord(seed: number, index: number): BundleEntry[] {
  const random = new SeededRandom(mixSeed(seed, index));
  // Alternating keeps even a small sandbox balanced, where a coin flip gave 7 men of 8 for the default seed.
  const sex = index % 2 === 0 ? "female" : "male";
  const ageYears = random.int(19, 89);
  const birthMs = startOfDay(HISTORY_END_MS - ageYears * YEAR_MS - random.int(0, 364) * DAY_MS);

  const context: RecordContext = {
    random,
    patient: { reference: "" },
    sex,
    birthMs,
    conditions: chooseConditions(random, ageYears),
    baseline: chooseBaseline(random, sex),
    entries: [],
  };
  const patient = buildPatient(context, index);
  context.patient = { reference: addEntry(context, patient), display: patient.name?.[0]?.text };

  const visits = planVisits(random);
  const encounters = visits.map((time, visit) => addEncounter(context, time, visit === 0 ? ENCOUNTER_TYPES.checkUp : random.pick(Object.values(ENCOUNTER_TYPES))));
  visits.forEach((time, visit) => addVitalSigns(context, encounters[visit] as Reference<Encounter>, time));
  visits.forEach((time, visit) => visit % 2 === 0 && addLabResults(context, encounters[visit] as Reference<Encounter>, time));

  addChronicConditions(context, visits, encounters);
  addAcuteIllness(context, visits, encounters);
  addAllergies(context, visits[0] as number);
  addImmunizations(context, visits, ageYears);
  return context.entries;
}

function addEntry(context: RecordContext, resource: Resource): string {
  const id = context.random.uuid();
  const fullUrl = `urn:uuid:${id}`;
  resource.id = id;
  context.entries.push({ fullUrl, resource });
  return fullUrl;
}

function buildPatient(context: RecordContext, index: number): Patient {
  const { random, sex } = context;
  const givenNames = GIVEN_NAMES[sex];
  // Names that test accent and apostrophe handling come first, so even a two-patient sandbox has them.
  const givenName = index < 2 ? random.pick(givenNames.slice(0, 6)) : random.pick(givenNames);
  const familyName = index === 0 ? random.pick(FAMILY_NAMES_WITH_APOSTROPHE) : random.pick(FAMILY_NAMES);

  return {
    resourceType: "Patient",
    active: true,
    identifier: [
      {
        use: "usual",
        type: { coding: [{ system: SYSTEMS.identifierType, code: "MR", display: "Medical Record Number" }], text: "Medical Record Number" },
        system: SANDBOX_MRN_SYSTEM,
        value: `SBX${String(random.int(100, 999))}${String(index).padStart(4, "0")}`,
      },
    ],
    name: [{ use: "official", text: `${givenName} ${familyName}`, family: familyName, given: [givenName] }],
    telecom: [{ system: "phone", value: `555-01${String(random.int(0, 99)).padStart(2, "0")}`, use: "home" }],
    gender: sex,
    birthDate: isoDate(context.birthMs),
    generalPractitioner: [PRACTITIONER],
  };
}

function chooseConditions(random: SeededRandom, ageYears: number): ConditionSpec[] {
  const eligible = CHRONIC_CONDITIONS.filter((condition) => ageYears >= condition.minAge);
  const chosen = eligible.filter((condition) => random.chance(condition.probability));
  // Everyone gets at least one problem, so every record has a condition and a medication to show.
  return chosen.length > 0 ? chosen : [random.pick(eligible)];
}

function chooseBaseline(random: SeededRandom, sex: "female" | "male"): Baseline {
  const heightCm = sex === "female" ? random.around(164, 10) : random.around(177, 11);
  const bmi = random.around(26, 5);
  return {
    heightCm: round(heightCm, 1),
    weightKg: round(bmi * (heightCm / 100) ** 2, 1),
    heartRate: random.int(60, 84),
    systolic: random.int(108, 132),
    diastolic: random.int(66, 84),
  };
}

/** Return visit times over the two to four years before GENERATED_HISTORY_END, oldest first. */
function planVisits(random: SeededRandom): number[] {
  const visits: number[] = [];
  let time = HISTORY_END_MS - random.int(730, 1460) * DAY_MS;
  while (time < HISTORY_END_MS) {
    visits.push(atClinicHour(random, time));
    time += random.int(90, 200) * DAY_MS;
  }
  return visits;
}

function addEncounter(context: RecordContext, time: number, type: Code): Reference<Encounter> {
  const encounter: Encounter = {
    resourceType: "Encounter",
    status: "finished",
    class: { system: SYSTEMS.actCode, code: "AMB", display: "ambulatory" },
    type: [concept(SYSTEMS.snomed, type)],
    subject: context.patient,
    participant: [{ individual: PRACTITIONER }],
    period: { start: isoDateTime(time), end: isoDateTime(time + context.random.int(20, 45) * 60_000) },
  };
  return { reference: addEntry(context, encounter) };
}

function addVitalSigns(context: RecordContext, encounter: Reference<Encounter>, time: number): void {
  const { random, baseline, conditions } = context;
  const hypertensive = conditions.some((condition) => condition.key === "hypertension");
  const weightKg = round(random.around(baseline.weightKg, 2.5), 1);
  const systolic = Math.round(random.around(baseline.systolic + (hypertensive ? 16 : 0), 8));
  const diastolic = Math.round(random.around(baseline.diastolic + (hypertensive ? 8 : 0), 5));

  addObservation(context, encounter, time, "vital-signs", VITALS.heartRate, { value: Math.round(random.around(baseline.heartRate, 8)), unit: VITALS.heartRate.unit });
  addObservation(context, encounter, time, "vital-signs", VITALS.bloodPressure, undefined, [
    component(VITALS.systolic, systolic, VITALS.systolic.unit),
    component(VITALS.diastolic, diastolic, VITALS.diastolic.unit),
  ]);
  addObservation(context, encounter, time, "vital-signs", VITALS.bodyWeight, { value: weightKg, unit: VITALS.bodyWeight.unit });
  addObservation(context, encounter, time, "vital-signs", VITALS.bodyHeight, { value: baseline.heightCm, unit: VITALS.bodyHeight.unit });
  addObservation(context, encounter, time, "vital-signs", VITALS.bmi, { value: round(weightKg / (baseline.heightCm / 100) ** 2, 1), unit: VITALS.bmi.unit });
}

function addLabResults(context: RecordContext, encounter: Reference<Encounter>, time: number): void {
  const has = (key: string) => context.conditions.some((condition) => condition.key === key);
  const { random, sex } = context;
  const results: Array<[LabTest, number]> = [
    [LABS.glucose, random.around(has("diabetes") ? 150 : 88, has("diabetes") ? 35 : 12)],
    [LABS.hba1c, random.around(has("diabetes") ? 7.6 : 5.2, has("diabetes") ? 1.2 : 0.4)],
    [LABS.cholesterol, random.around(has("hyperlipidemia") ? 235 : 180, 25)],
    [LABS.ldl, random.around(has("hyperlipidemia") ? 150 : 95, 25)],
    [LABS.hdl, random.around(sex === "female" ? 58 : 48, 10)],
    [LABS.creatinine, random.around(sex === "female" ? 0.8 : 1.0, 0.25)],
    [LABS.hemoglobin, random.around(sex === "female" ? 13.4 : 15.1, 1.3)],
    [LABS.potassium, random.around(4.2, 0.5)],
  ];
  for (const [test, value] of results) {
    addLabObservation(context, encounter, time + 15 * 60_000, test, round(value, test.decimals));
  }
}

function addLabObservation(context: RecordContext, encounter: Reference<Encounter>, time: number, test: LabTest, value: number): void {
  const observation = addObservation(context, encounter, time, "laboratory", test, { value, unit: test.unit });
  observation.referenceRange = [
    {
      ...(test.low === undefined ? {} : { low: quantity(test.low, test.unit) }),
      ...(test.high === undefined ? {} : { high: quantity(test.high, test.unit) }),
    },
  ];
  observation.interpretation = [interpretation(test, value)];
}

function addObservation(
  context: RecordContext,
  encounter: Reference<Encounter>,
  time: number,
  category: "vital-signs" | "laboratory",
  code: Code,
  value?: { value: number; unit: string },
  components?: ObservationComponent[],
): Observation {
  const observation: Observation = {
    resourceType: "Observation",
    status: "final",
    category: [{ coding: [{ system: SYSTEMS.observationCategory, code: category, display: category === "laboratory" ? "Laboratory" : "Vital Signs" }] }],
    code: concept(SYSTEMS.loinc, code),
    subject: context.patient,
    encounter,
    effectiveDateTime: isoDateTime(time),
    issued: isoDateTime(time + 60 * 60_000),
    performer: [PRACTITIONER],
    ...(value ? { valueQuantity: quantity(value.value, value.unit) } : {}),
    ...(components ? { component: components } : {}),
  };
  addEntry(context, observation);
  return observation;
}

function addChronicConditions(context: RecordContext, visits: number[], encounters: Reference<Encounter>[]): void {
  for (const spec of context.conditions) {
    const visit = context.random.int(0, Math.min(2, visits.length - 1));
    const recordedMs = visits[visit] as number;
    const earliestOnsetMs = context.birthMs + spec.minAge * YEAR_MS;
    const onsetMs = Math.min(recordedMs, Math.max(earliestOnsetMs, recordedMs - context.random.int(0, 8) * YEAR_MS));
    const condition = buildCondition(context, spec, encounters[visit] as Reference<Encounter>, startOfDay(onsetMs), recordedMs);
    const reference = addEntry(context, condition);
    addMedicationRequest(context, spec.medication, encounters[visit] as Reference<Encounter>, visits[visit] as number, { reference, display: spec.display }, "active");
  }
}

function addAcuteIllness(context: RecordContext, visits: number[], encounters: Reference<Encounter>[]): void {
  if (visits.length < 3 || !context.random.chance(0.5)) return;
  const visit = context.random.int(1, visits.length - 1);
  const time = visits[visit] as number;
  const condition = buildCondition(context, ACUTE_CONDITION, encounters[visit] as Reference<Encounter>, time, time);
  condition.clinicalStatus = concept(SYSTEMS.conditionClinical, { code: "resolved", display: "Resolved" });
  condition.abatementDateTime = isoDateTime(time + context.random.int(5, 12) * DAY_MS);
  const reference = addEntry(context, condition);
  addMedicationRequest(context, ACUTE_CONDITION.medication, encounters[visit] as Reference<Encounter>, time, { reference, display: ACUTE_CONDITION.display }, "completed");
}

function buildCondition(context: RecordContext, code: Code, encounter: Reference<Encounter>, onsetMs: number, recordedMs: number): Condition {
  return {
    resourceType: "Condition",
    clinicalStatus: concept(SYSTEMS.conditionClinical, { code: "active", display: "Active" }),
    verificationStatus: concept(SYSTEMS.conditionVerification, { code: "confirmed", display: "Confirmed" }),
    category: [concept(SYSTEMS.conditionCategory, { code: "problem-list-item", display: "Problem List Item" })],
    code: concept(SYSTEMS.snomed, code),
    subject: context.patient,
    encounter,
    onsetDateTime: isoDateTime(onsetMs),
    recordedDate: isoDateTime(recordedMs),
    recorder: PRACTITIONER,
  };
}

function addMedicationRequest(
  context: RecordContext,
  medication: Code & { dosage: string },
  encounter: Reference<Encounter>,
  time: number,
  reason: Reference<Condition>,
  status: "active" | "completed",
): void {
  const request: MedicationRequest = {
    resourceType: "MedicationRequest",
    status,
    intent: "order",
    medicationCodeableConcept: concept(SYSTEMS.rxnorm, medication),
    subject: context.patient,
    encounter,
    authoredOn: isoDateTime(time + 30 * 60_000),
    requester: PRACTITIONER,
    reasonReference: [reason],
    dosageInstruction: [{ sequence: 1, text: medication.dosage }],
  };
  addEntry(context, request);
}

function addAllergies(context: RecordContext, firstVisit: number): void {
  const count = context.random.pick([0, 0, 1, 1, 2]);
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(context.random.int(0, ALLERGIES.length - 1));

  for (const index of [...chosen].sort((a, b) => a - b)) {
    const spec = ALLERGIES[index];
    if (!spec) continue;
    const allergy: AllergyIntolerance = {
      resourceType: "AllergyIntolerance",
      clinicalStatus: concept(SYSTEMS.allergyClinical, { code: "active", display: "Active" }),
      verificationStatus: concept(SYSTEMS.allergyVerification, { code: "confirmed", display: "Confirmed" }),
      type: "allergy",
      category: [spec.category],
      criticality: spec.criticality,
      code: concept(SYSTEMS.snomed, spec),
      patient: context.patient,
      recordedDate: isoDateTime(firstVisit),
      recorder: PRACTITIONER,
      reaction: [{ manifestation: [concept(SYSTEMS.snomed, spec.reaction)], severity: spec.criticality === "high" ? "severe" : "mild" }],
    };
    addEntry(context, allergy);
  }
}

function addImmunizations(context: RecordContext, visits: number[], ageYears: number): void {
  const first = visits[0] as number;
  const firstYear = new Date(first).getUTCFullYear();
  const lastYear = new Date(HISTORY_END_MS).getUTCFullYear();

  for (let year = firstYear; year <= lastYear; year++) {
    const time = atClinicHour(context.random, Date.UTC(year, 9, 1) + context.random.int(0, 45) * DAY_MS);
    if (time > first && time < HISTORY_END_MS) addImmunization(context, VACCINES.influenza, time);
  }
  addImmunization(context, VACCINES.tdap, first);
  if (ageYears >= 65) addImmunization(context, VACCINES.pneumococcal, visits[1] ?? first);
}

function addImmunization(context: RecordContext, vaccine: Code, time: number): void {
  const immunization: Immunization = {
    resourceType: "Immunization",
    status: "completed",
    vaccineCode: concept(SYSTEMS.cvx, vaccine),
    patient: context.patient,
    occurrenceDateTime: isoDateTime(time),
    primarySource: true,
    performer: [{ actor: PRACTITIONER }],
  };
  addEntry(context, immunization);
}

function concept(system: string, code: Code): CodeableConcept {
  return { coding: [{ system, code: code.code, display: code.display }], text: code.display };
}

function component(code: Code, value: number, unit: string): ObservationComponent {
  return { code: concept(SYSTEMS.loinc, code), valueQuantity: quantity(value, unit) };
}

function quantity(value: number, unit: string) {
  return { value, unit, system: SYSTEMS.ucum, code: unit };
}

function interpretation(test: LabTest, value: number): CodeableConcept {
  const code = test.low !== undefined && value < test.low ? { code: "L", display: "Low" } : test.high !== undefined && value > test.high ? { code: "H", display: "High" } : { code: "N", display: "Normal" };
  return concept(SYSTEMS.interpretation, code);
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

function startOfDay(time: number): number {
  return Math.floor(time / DAY_MS) * DAY_MS;
}

/** Move `time` to a random quarter hour between 08:00 and 16:45 UTC of its day. */
function atClinicHour(random: SeededRandom, time: number): number {
  return startOfDay(time) + random.int(32, 67) * 15 * 60_000;
}

function isoDate(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

function isoDateTime(time: number): string {
  return new Date(time).toISOString().replace(".000Z", "Z");
}
