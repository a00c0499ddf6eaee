import type { Metadata } from "next";
import { notFound } from "next/navigation";
import type { AuthorizationRequest } from "@/lib/sandbox/auth/authorize";
import { findSandboxClient } from "@/lib/sandbox/auth/clients";
import { authServerUrls } from "@/lib/sandbox/auth/discovery";
import { isSandboxAuthServerEnabled } from "@/lib/sandbox/auth/http";
import { openLoginStep, type PendingLogin } from "@/lib/sandbox/auth/interaction";
import { listSandboxUsers, type SandboxUser } from "@/lib/sandbox/auth/users";
import { RequestError } from "../request-error";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in · Sandbox authorization server" };

/** Return the id of the user to preselect: the `login_hint`, else the user the EHR launched as, else the first. */
function preselectedUserId(users: SandboxUser[], request: AuthorizationRequest): string | undefined {
  const hint = request.loginHint ?? request.launch?.fhirUser;
  const hinted = users.find((user) => user.id === hint || user.fhirUser === hint);
  return (hinted ?? users[0])?.id;
}

/** Sign-in step of the sandbox: pick a sandbox user, without a password. */
export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (!isSandboxAuthServerEnabled()) notFound();

  const { request: sealedRequest } = await searchParams;
  const token = typeof sealedRequest === "string" ? sealedRequest : undefined;
  let pending: PendingLogin;
  try {
    pending = await openLoginStep(token);
  } catch (error) {
    return <RequestError error={error} />;
  }

  const users = await listSandboxUsers();
  const clientName = findSandboxClient(pending.request.clientId)?.name ?? pending.request.clientId;
  const selected = preselectedUserId(users, pending.request);

  return (
    <main>
      <h1>Sign in to the sandbox</h1>
      <p>
        <strong>{clientName}</strong> asks you to sign in. This is a test server with made-up people, so there is no password: choose who you
        are.
      </p>
      <form method="post" action={`${authServerUrls().login}/submit`} className="card">
        <input type="hidden" name="request" value={token} />
        <fieldset>
          <legend>Sign in as</legend>
          {users.map((user) => (
            <label key={user.id}>
              <input type="radio" name="user" value={user.id} defaultChecked={user.id === selected} required /> {user.name}{" "}
              <span className="muted">
                ({user.role === "practitioner" ? "practitioner" : `patient${user.birthDate ? `, born ${user.birthDate}` : ""}`})
              </span>
            </label>
          ))}
        </fieldset>
        <p>
          <button type="submit">Sign in</button>
        </p>
      </form>
    </main>
  );
}
