import { describe, expect, it } from "vitest";
import { generateKeyPair, SignJWT } from "jose";
import { launchCookieName, MAX_COOKIE_BYTES, sealLaunch, unsealLaunch, LAUNCH_TTL_SECONDS, type LaunchRecord } from "@/lib/session/launch-record";
import { randomId } from "@/lib/smart/authorize";
import { parseConfig } from "@/lib/config";

/** An access token as large as a Descope one with SMART template claims (about 1 KB). */
async function descopeSizedToken(privateKey: CryptoKey): Promise<string> {
  return new SignJWT({
    scope: "launch openid fhirUser patient/*.rs offline_access",
    fhirUser: "https://ehr.example.org/fhir/r4/Practitioner/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e",
    patient: "f46d1649-8a02-4de8-8cff-f76fae267d3a",
    amr: ["oauth"],
    drn: "DS",
    tenants: {},
  })
    .setProtectedHeader({ alg: "RS256", kid: "P2abcDEF123456789012345678" })
    .setIssuer("https://api.descope.com/v1/apps/P2abcDEF1234567890123456789")
    .setSubject("U2abcdefghijklmnopqrstuvwxyz01")
    .setAudience(["P2abcDEF1234567890123456789", "UDJhYmNERUYxMjM0NTY3ODkwMTIzNDU2Nzg5OlRQQTJ", "https://ehr.example.org/fhir/r4"])
    .setIssuedAt()
    .setExpirationTime("1h")
    .setJti(crypto.randomUUID())
    .sign(privateKey);
}

async function launchRecord(privateKey: CryptoKey): Promise<LaunchRecord> {
  return {
    id: randomId(),
    kind: "ehr",
    iss: "https://ehr.example.org/fhir/r4",
    createdAt: Date.now(),
    requestedScope: "launch openid fhirUser patient/*.rs offline_access",
    launchContext: { patient: "f46d1649-8a02-4de8-8cff-f76fae267d3a", encounter: "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", fhirUser: "Practitioner/0b1c2d3e", needPatientBanner: true },
    tokens: {
      accessToken: await descopeSizedToken(privateKey),
      refreshToken: Buffer.from(crypto.getRandomValues(new Uint8Array(96))).toString("base64url"),
      tokenType: "Bearer",
      scope: "launch openid fhirUser patient/*.rs offline_access",
      expiresAt: Date.now() + 3_600_000,
    },
    context: {
      patient: "f46d1649-8a02-4de8-8cff-f76fae267d3a",
      encounter: "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
      fhirUser: "https://ehr.example.org/fhir/r4/Practitioner/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e",
      needPatientBanner: true,
      smartStyleUrl: "https://ehr.example.org/smart-style.json",
    },
    userName: "Dr. Alexandra Rivera-Montgomery",
  };
}

describe("launch cookie", () => {
  it("stays under 4 KB for each of five launches", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const sizes: number[] = [];
    for (let index = 0; index < 5; index += 1) {
      const record = await launchRecord(privateKey);
      const sealed = await sealLaunch(record, LAUNCH_TTL_SECONDS);
      // Name, value and the attributes "; Path=/; Max-Age=28800; HttpOnly; Secure; SameSite=None; Partitioned".
      sizes.push(launchCookieName(record.id).length + 1 + sealed.length + 70);
    }
    console.info(`launch cookie sizes in bytes: ${sizes.join(", ")}; all five together ${sizes.reduce((a, b) => a + b, 0)}`);
    for (const size of sizes) expect(size).toBeLessThan(MAX_COOKIE_BYTES);

    // The kept launches' cookies must leave at least 2 KB of Node.js's 16 KB
    // header limit for the request line and other headers.
    const kept = sizes.slice(0, parseConfig(process.env).maxLaunches);
    expect(kept.reduce((a, b) => a + b, 0)).toBeLessThan(16 * 1024 - 2048);
  });

  it("round-trips and rejects another launch id", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const record = await launchRecord(privateKey);
    const sealed = await sealLaunch(record, LAUNCH_TTL_SECONDS);
    expect(await unsealLaunch(sealed, record.id)).toEqual(record);
    expect(await unsealLaunch(sealed, randomId())).toBeUndefined();
  });

  it("rejects tampered and truncated cookies", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const record = await launchRecord(privateKey);
    const sealed = await sealLaunch(record, LAUNCH_TTL_SECONDS);
    const flipped = sealed.slice(0, 60) + (sealed[60] === "A" ? "B" : "A") + sealed.slice(61);
    expect(await unsealLaunch(flipped, record.id)).toBeUndefined();
    expect(await unsealLaunch(sealed.slice(0, sealed.length - 10), record.id)).toBeUndefined();
  });

  it("refuses a record above the cookie limit", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const record = await launchRecord(privateKey);
    record.userName = "x".repeat(4000);
    await expect(sealLaunch(record, LAUNCH_TTL_SECONDS)).rejects.toThrow(/4096-byte cookie limit/);
  });
});
