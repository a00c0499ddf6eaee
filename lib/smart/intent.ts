/**
 * SMART `intent` values this app supports, and the view each opens. An unknown
 * intent opens the default view, the patient page, as SMART App Launch 2.2 requires.
 */
const VIEWS_BY_INTENT: Record<string, string> = {
  "access-review": "/consent",
};

/** Return the path of the view a launch opens with, from its intent. */
export function launchViewPath(launchId: string, intent: string | undefined): string {
  const suffix = intent ? (VIEWS_BY_INTENT[intent] ?? "") : "";
  return `/launches/${launchId}${suffix}`;
}
