import type { CapabilityStatement, CapabilityStatementRestResource } from "@medplum/fhirtypes";
import type { AppConfig } from "@/lib/config";

/**
 * The two unauthenticated discovery documents of the sandbox FHIR server:
 * the CapabilityStatement (`GET metadata`, FHIR R4) and the SMART
 * configuration (`GET .well-known/smart-configuration`, SMART App Launch 2.x).
 */

/** Resource types the sandbox lists in its CapabilityStatement, with the search parameters it documents for each. */
const LISTED_RESOURCES: Record<string, string[]> = {
  Patient: ["_id", "identifier", "name", "family", "given", "birthdate", "gender"],
  Observation: ["_id", "patient", "subject", "category", "code", "date", "encounter"],
  Condition: ["_id", "patient", "subject", "category", "clinical-status", "code", "onset-date"],
  MedicationRequest: ["_id", "patient", "subject", "status", "intent", "authoredon", "encounter"],
  AllergyIntolerance: ["_id", "patient", "clinical-status", "category"],
  Encounter: ["_id", "patient", "subject", "date", "status", "class"],
  Immunization: ["_id", "patient", "date", "status", "vaccine-code"],
  Procedure: ["_id", "patient", "subject", "date", "code"],
  DiagnosticReport: ["_id", "patient", "subject", "category", "code", "date"],
  Practitioner: ["_id", "identifier", "name"],
  Organization: ["_id", "identifier", "name"],
  Medication: ["_id", "code"],
};

// The statement describes this running instance, so it is dated when the instance started.
const INSTANCE_STARTED = new Date().toISOString();

const SMART_CAPABILITIES = [
  "launch-ehr",
  "launch-standalone",
  "client-public",
  "client-confidential-symmetric",
  "context-ehr-patient",
  "context-ehr-encounter",
  "context-standalone-patient",
  "context-banner",
  "context-style",
  "sso-openid-connect",
  "permission-offline",
  "permission-patient",
  "permission-user",
  "permission-v1",
  "permission-v2",
];

const SCOPES_SUPPORTED = [
  "openid",
  "fhirUser",
  "profile",
  "launch",
  "launch/patient",
  "launch/encounter",
  "offline_access",
  "online_access",
  "patient/*.rs",
  "patient/*.read",
  "user/*.rs",
  "user/*.read",
];

/** Return the SMART authorization endpoints of the sandbox's Descope-shaped authorization server. */
export function smartEndpoints(config: AppConfig) {
  const { descopeBaseUrl, projectId, issuer } = config.authServer;
  return {
    issuer,
    authorize: `${descopeBaseUrl}/oauth2/v1/apps/authorize`,
    token: `${descopeBaseUrl}/oauth2/v1/apps/token`,
    revoke: `${descopeBaseUrl}/oauth2/v1/apps/revoke`,
    userinfo: `${descopeBaseUrl}/oauth2/v1/apps/userinfo`,
    jwks: `${descopeBaseUrl}/${projectId}/.well-known/jwks.json`,
  };
}

/** Build the SMART configuration document (SMART App Launch 2.x, "Conformance"). */
export function buildSmartConfiguration(config: AppConfig) {
  const endpoints = smartEndpoints(config);
  return {
    issuer: endpoints.issuer,
    jwks_uri: endpoints.jwks,
    authorization_endpoint: endpoints.authorize,
    token_endpoint: endpoints.token,
    revocation_endpoint: endpoints.revoke,
    userinfo_endpoint: endpoints.userinfo,
    grant_types_supported: ["authorization_code", "refresh_token"],
    response_types_supported: ["code"],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic", "none"],
    scopes_supported: SCOPES_SUPPORTED,
    capabilities: SMART_CAPABILITIES,
  };
}

/**
 * Build the CapabilityStatement of the read-only sandbox server, with the
 * SMART `oauth-uris` security extension that SMART v1 clients read.
 */
export function buildCapabilityStatement(config: AppConfig): CapabilityStatement {
  const endpoints = smartEndpoints(config);
  return {
    resourceType: "CapabilityStatement",
    status: "active",
    date: INSTANCE_STARTED,
    publisher: "smart-descope-app sandbox",
    kind: "instance",
    software: { name: "smart-descope-app sandbox FHIR server" },
    implementation: { description: "Read-only FHIR R4 sandbox with synthetic data", url: config.sandbox.fhirBase },
    fhirVersion: "4.0.1",
    format: ["application/fhir+json", "json"],
    rest: [
      {
        mode: "server",
        security: {
          cors: true,
          service: [
            {
              coding: [{ system: "http://terminology.hl7.org/CodeSystem/restful-security-service", code: "SMART-on-FHIR", display: "SMART-on-FHIR" }],
              text: "OAuth2 using the SMART App Launch profile",
            },
          ],
          extension: [
            {
              url: "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
              extension: [
                { url: "authorize", valueUri: endpoints.authorize },
                { url: "token", valueUri: endpoints.token },
                { url: "revoke", valueUri: endpoints.revoke },
              ],
            },
          ],
        },
        resource: Object.entries(LISTED_RESOURCES).map(([type, params]) => listedResource(type, params)),
      },
    ],
  };
}

function listedResource(type: string, params: string[]): CapabilityStatementRestResource {
  return {
    type: type as CapabilityStatementRestResource["type"],
    interaction: [{ code: "read" }, { code: "search-type" }],
    searchParam: params.map((name) => ({ name, type: searchParamType(name) })),
  };
}

function searchParamType(name: string): "token" | "string" | "date" | "reference" {
  if (["patient", "subject", "encounter"].includes(name)) return "reference";
  if (["name", "family", "given"].includes(name)) return "string";
  if (["birthdate", "date", "onset-date", "authoredon"].includes(name)) return "date";
  return "token";
}
