import Link from "next/link";
import { headers } from "next/headers";
import { isFramed } from "@/lib/http/fetch-metadata";

/** Shown after sign-out. Inside the EHR's frame it sends the user back to the chart rather than to a new sign-in. */
export default async function SignedOutPage() {
  const framed = isFramed(await headers());
  return (
    <main>
      <section className="card" role="status">
        <h1>You are signed out</h1>
        <p>The app ended its session and asked the authorization server to revoke its access.</p>
        {framed ? (
          <p>To continue, open the app again from the patient&apos;s chart in your EHR.</p>
        ) : (
          <p>
            To continue, open the app again from your EHR, or <Link href="/">sign in again</Link>.
          </p>
        )}
      </section>
    </main>
  );
}
