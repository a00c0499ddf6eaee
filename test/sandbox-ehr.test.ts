import type { Encounter } from "@medplum/fhirtypes";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, SignJWT } from "jose";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { FIXTURES_DIR, TEST_SESSION_SECRET } from "./support/app-server";
import { OAuthError } from "@/lib/sandbox/auth/errors";
import { latestEncounterId } from "@/lib/sandbox/ehr/encounter";
import { mintLaunchToken, verifyLaunchToken } from "@/lib/sandbox/ehr/launch-token";
import { getSandboxSigningKey } from "@/lib/sandbox/keys";
import { getSandboxRepository } from "@/lib/sandbox/fhir/store";

/**
 * Tests of the EHR simulator: its pages over HTTP against the built app, and
 * the launch-token helpers directly with the same derived keys.
 */

const appUrl = inject("appUrl");
const ehrIssuer = `${appUrl}/sandbox/ehr`;
const fhirBase = `${appUrl}/sandbox/fhir`;
const ehrKeys = createRemoteJWKSet(new URL(`${ehrIssuer}/.well-known/jwks.json`));

beforeAll(() => {
  process.env.SESSION_SECRET = TEST_SESSION_SECRET;
  process.env.SANDBOX_ENABLED = "true";
  process.env.APP_BASE_URL = appUrl;
  process.env.SANDBOX_DATA_DIR = FIXTURES_DIR;
});

function decodeHtml(text: string): string {
  return text.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
}

interface ListedPatient {
  id: string;
  label: string;
}

/** Return the patients behind the EHR's "Open app" buttons; React does not keep attributes in source order. */
async function listedPatients(): Promise<ListedPatient[]> {
  const html = await (await fetch(`${ehrIssuer}`)).text();
  const buttons = [...html.matchAll(/<button\b([^>]*)>/g)].map((tag) =>
    Object.fromEntries([...(tag[1] ?? "").matchAll(/([\w-]+)="([^"]*)"/g)].map((attribute) => [attribute[1], decodeHtml(attribute[2] ?? "")])),
  );
  return buttons.filter((button) => button.name === "patient").map((button) => ({ id: button.value ?? "", label: button["aria-label"] ?? "" }));
}

/**
 * Open the EHR launch page, load its iframe's URL (the EHR's open route) and
 * return the app launch URL it redirects to.
 */
async function iframeSource(query: Record<string, string>): Promise<URL> {
  const response = await fetch(`${ehrIssuer}/launch?${new URLSearchParams(query)}`, { redirect: "manual" });
  expect(response.status).toBe(200);
  const html = await response.text();
  const match = /<iframe [^>]*title="SMART app"[^>]*src="([^"]+)"/.exec(html) ?? /<iframe [^>]*src="([^"]+)"[^>]*title="SMART app"/.exec(html);
  if (!match?.[1]) throw new Error(`no app iframe on the launch page:\n${html.slice(0, 2000)}`);

  const frame = new URL(decodeHtml(match[1]));
  expect(frame.origin + frame.pathname).toBe(`${ehrIssuer}/open`);
  const opened = await fetch(frame, { redirect: "manual" });
  expect(opened.status).toBe(303);
  return new URL(opened.headers.get("location") ?? "");
}

async function oauthErrorOf(action: () => Promise<unknown>): Promise<OAuthError> {
  try {
    await action();
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthError);
    return error as OAuthError;
  }
  throw new Error("expected an OAuthError, but nothing was thrown");
}

describe("EHR pages", () => {
  it("list the patients with an Open app button each", async () => {
    const response = await fetch(ehrIssuer);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Signed in as <strong>Dr. ");

    const patients = await listedPatients();
    expect(patients.length).toBeGreaterThan(0);
    for (const patient of patients) expect(patient.label).toMatch(/^Open app for \S/);
    expect(patients.map((patient) => patient.label)).toContain("Open app for María Luisa Razo, born 1973-08-01");
  });

  it("label every patient's button uniquely", async () => {
    const labels = (await listedPatients()).map((patient) => patient.label);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it("frame the app's launch URL with a signed launch token", async () => {
    const [patient] = await listedPatients();
    const src = await iframeSource({ patient: patient?.id ?? "" });
    expect(src.origin + src.pathname).toBe(`${appUrl}/launch`);
    expect(src.searchParams.get("iss")).toBe(fhirBase);

    const launch = src.searchParams.get("launch") ?? "";
    const keys = await (await fetch(`${ehrIssuer}/.well-known/jwks.json`)).json();
    expect(decodeProtectedHeader(launch)).toMatchObject({ alg: "RS256", kid: keys.keys[0].kid });
    const { payload } = await jwtVerify(launch, ehrKeys, { issuer: ehrIssuer, audience: fhirBase, algorithms: ["RS256"] });
    expect(payload).toMatchObject({
      patient: patient?.id,
      fhirUser: "Practitioner/sandbox-practitioner",
      need_patient_banner: true,
      smart_style_url: `${ehrIssuer}/smart-style.json`,
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
    expect(payload.jti).toEqual(expect.any(String));
    expect(payload.sim_error).toBeUndefined();
    expect(payload.encounter).toBe(await latestEncounterId(patient?.id ?? ""));
  });

  it("put the chosen options in the launch token", async () => {
    const [patient] = await listedPatients();
    const src = await iframeSource({
      patient: patient?.id ?? "",
      sim_error: "fhir_token_expired",
      need_patient_banner: "false",
      smart_style: "none",
      intent: "reconcile-medications",
    });
    const { payload } = await jwtVerify(src.searchParams.get("launch") ?? "", ehrKeys, { issuer: ehrIssuer, audience: fhirBase });
    expect(payload).toMatchObject({ sim_error: "fhir_token_expired", need_patient_banner: false, intent: "reconcile-medications" });
    expect(payload.smart_style_url).toBeUndefined();
  });

  it("redirect to the app when it opens in its own window", async () => {
    const [patient] = await listedPatients();
    const response = await fetch(`${ehrIssuer}/launch?${new URLSearchParams({ patient: patient?.id ?? "", display: "window" })}`, { redirect: "manual" });
    expect([303, 307]).toContain(response.status);
    const target = new URL(response.headers.get("location") ?? "", appUrl);
    expect(target.pathname).toBe("/launch");
    expect(target.searchParams.get("launch")).toEqual(expect.any(String));
  });

  it("refuse an unknown patient", async () => {
    const html = await (await fetch(`${ehrIssuer}/launch?patient=no-such-patient`)).text();
    expect(html).toContain("The app could not be launched");
    expect(html).not.toContain("<iframe");
  });

  it("refuse an unknown simulated error", async () => {
    const [patient] = await listedPatients();
    const html = await (await fetch(`${ehrIssuer}/launch?${new URLSearchParams({ patient: patient?.id ?? "", sim_error: "explode" })}`)).text();
    expect(html).toContain("sim_error");
    expect(html).not.toContain("<iframe");
  });

  it("serve the SMART style document", async () => {
    const response = await fetch(`${ehrIssuer}/smart-style.json`);
    expect(response.status).toBe(200);
    const style = await response.json();
    for (const property of ["color_background", "color_highlight", "color_text", "font_family_body"]) {
      expect(style[property]).toEqual(expect.any(String));
    }
  });
});

describe("verifyLaunchToken", () => {
  it("accepts a token minted by the EHR", async () => {
    const token = await mintLaunchToken({ patient: "p1", need_patient_banner: true });
    const claims = await verifyLaunchToken(token, fhirBase);
    expect(claims).toMatchObject({ iss: ehrIssuer, aud: fhirBase, patient: "p1", need_patient_banner: true });
  });

  it("rejects another FHIR base", async () => {
    const token = await mintLaunchToken({ patient: "p1" });
    const error = await oauthErrorOf(() => verifyLaunchToken(token, "https://fhir.example/r4"));
    expect(error.code).toBe("invalid_request");
    expect(error.description).toContain("another FHIR server");
  });

  it("rejects an expired token", async () => {
    const issuedAt = new Date("2030-01-01T00:00:00Z");
    const token = await mintLaunchToken({ patient: "p1" }, issuedAt);
    const error = await oauthErrorOf(() => verifyLaunchToken(token, fhirBase, new Date(issuedAt.getTime() + 301_000)));
    expect(error.description).toContain("expired");
  });

  it("rejects a token signed with the authorization server key", async () => {
    const key = getSandboxSigningKey("authorization-server");
    const token = await new SignJWT({ patient: "p1" })
      .setProtectedHeader({ alg: "RS256", kid: key.kid })
      .setIssuer(ehrIssuer)
      .setAudience(fhirBase)
      .setJti("j1")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(key.privateKey);
    expect((await oauthErrorOf(() => verifyLaunchToken(token, fhirBase))).description).toContain("invalid");
  });

  it("rejects an unknown simulated error", async () => {
    const token = await mintLaunchToken({ patient: "p1", sim_error: "explode" as never });
    expect((await oauthErrorOf(() => verifyLaunchToken(token, fhirBase))).description).toContain("simulated error");
  });
});

describe("latestEncounterId", () => {
  it("picks the encounter that started last", async () => {
    const repository = await getSandboxRepository();
    const encounters = await repository.search<Encounter>({ resourceType: "Encounter", count: 10_000 });
    const byPatient = new Map<string, Array<{ id: string; start: string }>>();
    for (const { resource } of encounters.entry ?? []) {
      const patientId = resource?.subject?.reference?.replace(/^Patient\//, "");
      if (!resource?.id || !patientId || !resource.period?.start) continue;
      byPatient.set(patientId, [...(byPatient.get(patientId) ?? []), { id: resource.id, start: resource.period.start }]);
    }
    expect(byPatient.size).toBeGreaterThan(0);

    for (const [patientId, list] of byPatient) {
      const latest = [...list].sort((a, b) => Date.parse(b.start) - Date.parse(a.start))[0];
      expect(await latestEncounterId(patientId), patientId).toBe(latest?.id);
    }
  });

  it("returns undefined for a patient without encounters", async () => {
    expect(await latestEncounterId("no-such-patient")).toBeUndefined();
  });
});

describe("EHR open route", () => {
  it("mints a new launch token per load", async () => {
    const [patient] = await listedPatients();
    const first = await iframeSource({ patient: patient?.id ?? "" });
    const second = await iframeSource({ patient: patient?.id ?? "" });
    expect(first.searchParams.get("launch")).not.toBe(second.searchParams.get("launch"));
  });
});
