import { MessagePage } from "@/app/_components/message-page";
import { Providers } from "@/app/_components/providers";
import { log } from "@/lib/log";
import { pageRequestId } from "@/lib/http/route-error";
import { expiryReason } from "@/lib/session/launch-lifecycle";
import { readLaunchCookie } from "@/lib/session/launch-store";
import { loadSmartStyle } from "@/lib/smart/style";
import { LaunchNavLink } from "./launch-nav-link";

export const dynamic = "force-dynamic";

/**
 * Frame of every page of one launch, in the EHR's SMART style when it sent one.
 * A launch this browser does not hold shows the "session ended" page; an
 * expired one explains why (the next request deletes it).
 */
export default async function LaunchLayout({ children, params }: { children: React.ReactNode; params: Promise<{ launchId: string }> }) {
  const { launchId } = await params;
  const { record, rejected } = await readLaunchCookie(launchId);
  if (rejected) log.warn("launch.cookie_rejected", { requestId: pageRequestId(), launchId: launchId.slice(0, 64) });
  if (!record?.tokens) return <MessagePage code="launch_not_found" />;

  const expired = expiryReason(record);
  if (expired) {
    return <MessagePage code="session_expired" detail={expired === "idle" ? "The app was not used for too long." : "The session reached its maximum length."} />;
  }

  const style = await loadSmartStyle(record, pageRequestId());
  const styled = Object.keys(style).length > 0;

  return (
    <Providers>
      <div className="launch-shell" style={style as React.CSSProperties} data-smart-style={styled ? "applied" : "none"}>
        <nav aria-label="Launch" className="launch-nav">
          <LaunchNavLink href={`/launches/${launchId}`}>Patient</LaunchNavLink>
          <LaunchNavLink href={`/launches/${launchId}/consent`}>Access granted</LaunchNavLink>
          <form method="post" action="/logout" className="logout-form">
            <input type="hidden" name="launchId" value={launchId} />
            <button type="submit" className="secondary">
              Sign out
            </button>
          </form>
        </nav>
        {children}
      </div>
    </Providers>
  );
}
