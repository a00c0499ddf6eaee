import { headers } from "next/headers";
import { isFramed } from "@/lib/http/fetch-metadata";
import { getConfig } from "@/lib/config";

/**
 * Landing page for standalone launches: the user picks their health system.
 * Inside a frame it offers no sign-in: a standalone launch there would show a
 * patient unrelated to the EHR chart around it.
 */
export default async function HomePage() {
  const { trustedIssuers } = getConfig();
  const framed = isFramed(await headers());

  if (framed) {
    return (
      <main>
        <h1>SMART on FHIR with Descope</h1>
        <section className="card" role="status">
          <p>To continue, open the app again from the patient&apos;s chart in your EHR.</p>
        </section>
      </main>
    );
  }

  return (
    <main>
      <h1>SMART on FHIR with Descope</h1>
      <p>Clinicians: open this app from a patient&apos;s chart in your EHR.</p>
      <section className="card" aria-labelledby="standalone-title">
        <h2 id="standalone-title">Sign in to see health records</h2>
        <p>Choose your health system. You will sign in there and decide what this app may see.</p>
        <ul className="issuer-list">
          {trustedIssuers.map((issuer) => (
            <li key={issuer.iss}>
              <a className="button" href={`/standalone?iss=${encodeURIComponent(issuer.iss)}`}>
                Sign in with {issuer.name}
              </a>{" "}
              <span className="muted">{issuer.iss}</span>
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
