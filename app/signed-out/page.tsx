export default function SignedOutPage() {
  return (
    <main>
      <section className="card" role="status">
        <h1>You are signed out</h1>
        <p>The app ended its session and asked the authorization server to revoke its access.</p>
        <p>To continue, open the app again from your EHR, or <a href="/">sign in again</a>.</p>
      </section>
    </main>
  );
}
