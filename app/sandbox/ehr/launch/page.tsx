import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { getConfig } from "@/lib/config";
import { OAuthError } from "@/lib/sandbox/auth/errors";
import { latestEncounterId } from "@/lib/sandbox/ehr/encounter";
import { parseEhrLaunchOptions, launchContextFor, type EhrLaunchOptions } from "@/lib/sandbox/ehr/launch-options";
import { buildAppLaunchUrl, mintLaunchToken } from "@/lib/sandbox/ehr/launch-token";
import { listSandboxPatients } from "@/lib/sandbox/fhir/store";
import { EhrHeader } from "../ehr-header";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sandbox EHR · SMART app" };

function LaunchError({ message }: { message: string }) {
  return (
    <main>
      <EhrHeader />
      <div className="card error-page" role="alert">
        <h1>The app could not be launched</h1>
        <p>{message}</p>
        <p>
          <Link href="/sandbox/ehr">Back to the patient list</Link>
        </p>
      </div>
    </main>
  );
}

/**
 * Launch page of the EHR simulator: opens the app framed inside the EHR
 * (through `/sandbox/ehr/open`, which signs a launch token for each load), or
 * as the whole window.
 */
export default async function EhrLaunchPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (!getConfig().sandbox.enabled) notFound();

  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(await searchParams)) if (typeof value === "string") query.set(name, value);

  let options: EhrLaunchOptions;
  try {
    options = parseEhrLaunchOptions(query);
  } catch (error) {
    if (error instanceof OAuthError) return <LaunchError message={error.description} />;
    throw error;
  }

  const patient = (await listSandboxPatients()).find((candidate) => candidate.id === options.patientId);
  if (!patient) return <LaunchError message={`No sandbox patient has the id "${options.patientId}".`} />;

  if (options.display === "window") {
    const context = launchContextFor(options, await latestEncounterId(patient.id));
    redirect(buildAppLaunchUrl(await mintLaunchToken(context)));
  }

  return (
    <main style={{ maxWidth: "none" }}>
      <EhrHeader />
      <p>
        Chart of <strong>{patient.name}</strong>
        {patient.birthDate ? `, born ${patient.birthDate}` : ""} · <Link href="/sandbox/ehr">Back to the patient list</Link>
      </p>
      {/* Lazy, so the app loads only after this page has laid out the frame. A
          cross-site frame that commits its first page before then can stay
          blank in Chromium: in about 1 launch in 100 the app's pages had no layout. */}
      <iframe
        title="SMART app"
        loading="lazy"
        src={`${getConfig().sandbox.ehrIssuer}/open?${query.toString()}`}
        style={{ width: "100%", height: "80vh", border: "1px solid var(--color-border)", borderRadius: "var(--radius)", background: "#fff" }}
      />
    </main>
  );
}
