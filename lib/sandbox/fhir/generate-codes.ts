/**
 * Clinical codes of the synthetic sandbox data: LOINC for observations,
 * SNOMED CT for conditions, allergies and encounter types, RxNorm for
 * medications and CVX for vaccines. Where Synthea's R4 sample data uses the
 * same code, the display is the one it uses.
 */

export const SYSTEMS = {
  loinc: "http://loinc.org",
  snomed: "http://snomed.info/sct",
  rxnorm: "http://www.nlm.nih.gov/research/umls/rxnorm",
  cvx: "http://hl7.org/fhir/sid/cvx",
  ucum: "http://unitsofmeasure.org",
  observationCategory: "http://terminology.hl7.org/CodeSystem/observation-category",
  interpretation: "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
  conditionClinical: "http://terminology.hl7.org/CodeSystem/condition-clinical",
  conditionVerification: "http://terminology.hl7.org/CodeSystem/condition-ver-status",
  conditionCategory: "http://terminology.hl7.org/CodeSystem/condition-category",
  allergyClinical: "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
  allergyVerification: "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
  actCode: "http://terminology.hl7.org/CodeSystem/v3-ActCode",
  identifierType: "http://terminology.hl7.org/CodeSystem/v2-0203",
} as const;

export interface Code {
  code: string;
  display: string;
}

/** A numeric lab result: its LOINC code, UCUM unit and reference range (either end may be open). */
export interface LabTest extends Code {
  unit: string;
  low?: number;
  high?: number;
  decimals: number;
}

export const VITALS = {
  heartRate: { code: "8867-4", display: "Heart rate", unit: "/min" },
  bloodPressure: { code: "85354-9", display: "Blood pressure panel with all children optional" },
  systolic: { code: "8480-6", display: "Systolic blood pressure", unit: "mm[Hg]" },
  diastolic: { code: "8462-4", display: "Diastolic blood pressure", unit: "mm[Hg]" },
  bodyWeight: { code: "29463-7", display: "Body weight", unit: "kg" },
  bodyHeight: { code: "8302-2", display: "Body height", unit: "cm" },
  bmi: { code: "39156-5", display: "Body mass index (BMI) [Ratio]", unit: "kg/m2" },
} as const;

export const LABS = {
  glucose: { code: "2339-0", display: "Glucose [Mass/volume] in Blood", unit: "mg/dL", low: 70, high: 99, decimals: 0 },
  hba1c: { code: "4548-4", display: "Hemoglobin A1c/Hemoglobin.total in Blood", unit: "%", low: 4, high: 5.6, decimals: 1 },
  cholesterol: { code: "2093-3", display: "Cholesterol [Mass/volume] in Serum or Plasma", unit: "mg/dL", high: 199, decimals: 0 },
  ldl: { code: "18262-6", display: "Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay", unit: "mg/dL", high: 99, decimals: 0 },
  hdl: { code: "2085-9", display: "Cholesterol in HDL [Mass/volume] in Serum or Plasma", unit: "mg/dL", low: 40, decimals: 0 },
  creatinine: { code: "38483-4", display: "Creatinine [Mass/volume] in Blood", unit: "mg/dL", low: 0.6, high: 1.3, decimals: 2 },
  hemoglobin: { code: "718-7", display: "Hemoglobin [Mass/volume] in Blood", unit: "g/dL", low: 12, high: 17.5, decimals: 1 },
  potassium: { code: "6298-4", display: "Potassium [Moles/volume] in Blood", unit: "mmol/L", low: 3.5, high: 5.1, decimals: 1 },
} as const satisfies Record<string, LabTest>;

/** A chronic condition, who may have it, and the medication that treats it. */
export interface ConditionSpec extends Code {
  key: string;
  minAge: number;
  probability: number;
  medication: Code & { dosage: string };
}

export const CHRONIC_CONDITIONS: readonly ConditionSpec[] = [
  {
    key: "hypertension",
    code: "38341003",
    display: "Hypertension",
    minAge: 30,
    probability: 0.4,
    medication: { code: "197361", display: "Amlodipine 5 MG Oral Tablet", dosage: "Take 1 tablet by mouth once daily." },
  },
  {
    key: "diabetes",
    code: "44054006",
    display: "Diabetes",
    minAge: 35,
    probability: 0.25,
    medication: { code: "860975", display: "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet", dosage: "Take 1 tablet by mouth once daily with the evening meal." },
  },
  {
    key: "hyperlipidemia",
    code: "55822004",
    display: "Hyperlipidemia",
    minAge: 30,
    probability: 0.35,
    medication: { code: "312961", display: "Simvastatin 20 MG Oral Tablet", dosage: "Take 1 tablet by mouth every evening." },
  },
  {
    key: "hypothyroidism",
    code: "83664006",
    display: "Idiopathic atrophic hypothyroidism",
    minAge: 20,
    probability: 0.12,
    medication: { code: "966222", display: "Levothyroxine Sodium 0.075 MG Oral Tablet", dosage: "Take 1 tablet by mouth every morning before breakfast." },
  },
  {
    key: "asthma",
    code: "195967001",
    display: "Asthma",
    minAge: 0,
    probability: 0.15,
    medication: { code: "745679", display: "200 ACTUAT Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler", dosage: "Inhale 2 puffs every 4 to 6 hours as needed for wheezing." },
  },
  {
    key: "rhinitis",
    code: "367498001",
    display: "Seasonal allergic rhinitis",
    minAge: 0,
    probability: 0.2,
    medication: { code: "1014676", display: "cetirizine hydrochloride 5 MG Oral Tablet", dosage: "Take 1 tablet by mouth once daily during the pollen season." },
  },
  {
    key: "osteoarthritis",
    code: "239873007",
    display: "Osteoarthritis of knee",
    minAge: 50,
    probability: 0.3,
    medication: { code: "849574", display: "Naproxen sodium 220 MG Oral Tablet", dosage: "Take 1 tablet by mouth every 8 to 12 hours as needed for pain." },
  },
];

/** A short illness that resolves, with the medication given for it. */
export const ACUTE_CONDITION = {
  code: "195662009",
  display: "Acute viral pharyngitis (disorder)",
  medication: { code: "282464", display: "Acetaminophen 160 MG Oral Tablet", dosage: "Take 4 tablets by mouth every 6 hours as needed for pain or fever, for up to 5 days." },
} as const;

export interface AllergySpec extends Code {
  category: "food" | "medication" | "environment";
  criticality: "low" | "high";
  reaction: Code;
}

export const ALLERGIES: readonly AllergySpec[] = [
  { code: "91935009", display: "Allergy to peanuts", category: "food", criticality: "high", reaction: { code: "39579001", display: "Anaphylaxis (disorder)" } },
  { code: "91936005", display: "Allergy to penicillin", category: "medication", criticality: "high", reaction: { code: "271807003", display: "Eruption of skin (disorder)" } },
  { code: "300916003", display: "Latex allergy", category: "environment", criticality: "low", reaction: { code: "247472004", display: "Wheal (finding)" } },
  { code: "424213003", display: "Allergy to bee venom", category: "environment", criticality: "high", reaction: { code: "39579001", display: "Anaphylaxis (disorder)" } },
  { code: "418689008", display: "Allergy to grass pollen", category: "environment", criticality: "low", reaction: { code: "49727002", display: "Cough (finding)" } },
  { code: "91930004", display: "Allergy to eggs", category: "food", criticality: "low", reaction: { code: "271807003", display: "Eruption of skin (disorder)" } },
];

export const ENCOUNTER_TYPES = {
  checkUp: { code: "185349003", display: "Encounter for check up (procedure)" },
  problem: { code: "185347001", display: "Encounter for problem" },
} as const;

export const VACCINES = {
  influenza: { code: "140", display: "Influenza, seasonal, injectable, preservative free" },
  tdap: { code: "115", display: "Tdap" },
  pneumococcal: { code: "133", display: "Pneumococcal conjugate PCV 13" },
} as const;

/** Given names by administrative gender; several carry accents, to exercise accent-insensitive search. */
export const GIVEN_NAMES = {
  female: ["Amélie", "Zoë", "Siobhán", "Inés", "Maëlle", "Renée", "Noor", "Leilani", "Ingrid", "Thandiwe", "Chiara", "Yuki"],
  male: ["José", "Björn", "Émile", "Tomás", "Rafał", "Kwame", "Mateo", "Luca", "Arjun", "Hiroshi", "Søren", "Ignacio"],
} as const;

export const FAMILY_NAMES_WITH_APOSTROPHE = ["O'Connell", "D'Souza", "N'Diaye", "O'Hare"] as const;

export const FAMILY_NAMES = [
  ...FAMILY_NAMES_WITH_APOSTROPHE,
  "Núñez",
  "Müller",
  "Okonkwo",
  "Lindqvist",
  "Castañeda",
  "Nakamura",
  "Kowalczyk",
  "Ferreira",
  "Haddad",
  "Åberg",
  "Brennan",
  "Petrović",
] as const;
