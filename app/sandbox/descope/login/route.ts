import { loginPage, sealedRequestPage } from "@/lib/sandbox/auth/pages";

export const dynamic = "force-dynamic";

/** Render the sandbox sign-in page for the sealed request in the query. */
export const GET = sealedRequestPage(loginPage, "sandbox.login.request_invalid");
