import type { AuthorizationRequest } from "./authorize";
import { findSandboxClient } from "./clients";
import { authServerUrls } from "./discovery";
import { OAuthError } from "./errors";
import { escapeHtml, sandboxHtmlResponse } from "./html";
import { authServerDisabledResponse, pageErrorResponse, singleParam } from "./http";
import { CONSENT_ALREADY_SUBMITTED, openConsentStep, openLoginStep } from "./interaction";
import { spentTokens } from "./replay";
import { describeScope } from "./scopes";
import { listSandboxUsers, type SandboxUser } from "./users";

/**
 * The sandbox's sign-in and consent steps as plain HTML forms. Both page
 * functions throw OAuthError when the sealed request is missing, invalid or
 * expired, and the consent page also when its form was already sent.
 */

function clientName(clientId: string): string {
  return findSandboxClient(clientId)?.name ?? clientId;
}

/** Return the suggested user, if any: the `login_hint`, else the user the EHR launched as. */
function suggestedUser(users: SandboxUser[], request: AuthorizationRequest): SandboxUser | undefined {
  const hint = request.loginHint ?? request.launch?.fhirUser;
  return users.find((user) => user.id === hint || user.fhirUser === hint);
}

function roleText(user: SandboxUser): string {
  if (user.role === "practitioner") return "practitioner";
  return user.birthDate ? `patient, born ${user.birthDate}` : "patient";
}

/**
 * Render one user's submit button, so that a single click signs in. Without
 * a suggestion every button looks the same; with one, the others look secondary.
 */
function userButton(user: SandboxUser, suggested: SandboxUser | undefined): string {
  const secondary = suggested !== undefined && user !== suggested ? ' class="secondary"' : "";
  const note = user === suggested ? " <span>· suggested</span>" : "";
  return `<li><button type="submit" name="user" value="${escapeHtml(user.id)}"${secondary}>Sign in as <strong>${escapeHtml(user.name)}</strong> <span>(${escapeHtml(roleText(user))})</span>${note}</button></li>`;
}

/** Render the sign-in page: choose a sandbox user, without a password. */
export async function loginPage(sealedRequest: string | undefined): Promise<Response> {
  const pending = await openLoginStep(sealedRequest);
  const users = await listSandboxUsers();
  const suggested = suggestedUser(users, pending.request);
  const ordered = suggested ? [suggested, ...users.filter((user) => user !== suggested)] : users;

  const main = `<main>
<h1>Sign in to the sandbox</h1>
<p><strong>${escapeHtml(clientName(pending.request.clientId))}</strong> asks you to sign in. This is a test server with made-up people, so there is no password: choose who you are.</p>
<form method="post" action="${escapeHtml(authServerUrls().login)}/submit" class="card">
<input type="hidden" name="request" value="${escapeHtml(sealedRequest!)}">
<fieldset><legend>Sign in as</legend>
<ul class="choices">${ordered.map((user) => userButton(user, suggested)).join("\n")}</ul>
</fieldset>
</form>
</main>`;
  return sandboxHtmlResponse("Sign in · Sandbox authorization server", main);
}

function scopeCheckbox(scope: string, index: number): string {
  const descriptionId = `scope-${index}-description`;
  return `<div><label><input type="checkbox" name="scope" value="${escapeHtml(scope)}" checked aria-describedby="${descriptionId}"> <code>${escapeHtml(scope)}</code></label>
<p id="${descriptionId}" class="muted">${escapeHtml(describeScope(scope))}</p></div>`;
}

/** Render the consent page: approve or untick each requested scope, then allow or deny. */
export async function consentPage(sealedRequest: string | undefined): Promise<Response> {
  const { request, user, jti } = await openConsentStep(sealedRequest);
  // A reload or Back after Allow would show a form that can no longer be sent.
  if (spentTokens().has(jti)) throw new OAuthError("invalid_request", CONSENT_ALREADY_SUBMITTED);
  const name = escapeHtml(clientName(request.clientId));

  const main = `<main>
<h1>Allow ${name} to access health records?</h1>
<p>Signed in as <strong>${escapeHtml(user.name)}</strong> <span class="muted">(${escapeHtml(user.fhirUser)})</span>.</p>
<form method="post" action="${escapeHtml(authServerUrls().consent)}/submit" class="card">
<input type="hidden" name="request" value="${escapeHtml(sealedRequest!)}">
<fieldset><legend>Permissions requested</legend>
<p class="muted">Untick a permission to leave it out of what you allow.</p>
${request.scopes.map(scopeCheckbox).join("\n")}
</fieldset>
<p><button type="submit" name="decision" value="allow">Allow</button> <button type="submit" name="decision" value="deny" class="secondary">Deny</button></p>
</form>
</main>`;
  return sandboxHtmlResponse("Allow access · Sandbox authorization server", main);
}

/** Return the GET handler of a page that renders the sealed request in the query; errors become a logged error page. */
export function sealedRequestPage(render: (sealedRequest: string | undefined) => Promise<Response>, event: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const disabled = authServerDisabledResponse();
    if (disabled) return disabled;

    try {
      return await render(singleParam(new URL(request.url).searchParams, "request", 16_384));
    } catch (error) {
      return pageErrorResponse(error, event);
    }
  };
}
