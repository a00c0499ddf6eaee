import Link from "next/link";

/** Page for any path the app does not serve. */
export default function NotFound() {
  return (
    <main>
      <section className="card error-page" role="alert" aria-labelledby="not-found-title">
        <h1 id="not-found-title">Page not found</h1>
        <p>The app has no page at this address.</p>
        <p>
          If you came from your EHR, open the app again from the patient&apos;s chart. Otherwise go to the <Link href="/">start page</Link>.
        </p>
      </section>
    </main>
  );
}
