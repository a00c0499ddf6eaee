import Link from "next/link";
import { MessagePage } from "@/app/_components/message-page";
import { Providers } from "@/app/_components/providers";
import { loadLaunch } from "@/lib/session/launch-store";

export const dynamic = "force-dynamic";

/** Frame of every page of one launch; a launch that this browser does not hold shows the "session ended" page. */
export default async function LaunchLayout({ children, params }: { children: React.ReactNode; params: Promise<{ launchId: string }> }) {
  const { launchId } = await params;
  const record = await loadLaunch(launchId);
  if (!record?.tokens) return <MessagePage code="launch_not_found" />;

  return (
    <Providers>
      <nav aria-label="Launch" className="launch-nav">
        <Link href={`/launches/${launchId}`}>Patient</Link>
        <Link href={`/launches/${launchId}/consent`}>Access granted</Link>
      </nav>
      {children}
    </Providers>
  );
}
