import { consentPage, sealedRequestPage } from "@/lib/sandbox/auth/pages";

export const dynamic = "force-dynamic";

/** Render the sandbox consent page for the sealed request in the query. */
export const GET = sealedRequestPage(consentPage, "sandbox.consent.request_invalid");
