import { OAuthError } from "@/lib/sandbox/auth/errors";

/** Card shown by the sign-in and consent pages when their sealed request is missing, invalid or expired. */
export function RequestError({ error }: { error: unknown }) {
  const description = error instanceof OAuthError ? error.description : "The sign-in request could not be read.";
  return (
    <main>
      <div className="card error-page" role="alert">
        <h1>This sign-in request cannot continue</h1>
        <p>{description}</p>
        <p>Start again from the app. A sign-in request stays valid for 10 minutes.</p>
      </div>
    </main>
  );
}
