export default function HomePage() {
  return (
    <main>
      <h1>SMART on FHIR with Descope</h1>
      <p>Open this app from your EHR, or sign in directly.</p>
    </main>
  );
}
