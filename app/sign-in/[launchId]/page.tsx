import { MessagePage } from "@/app/_components/message-page";
import { loadLaunch } from "@/lib/session/launch-store";
import { PopupSignIn } from "./popup-sign-in";

export const dynamic = "force-dynamic";

/** Framed launch whose login must run in a popup: offers the button that opens it. */
export default async function SignInPage({ params }: { params: Promise<{ launchId: string }> }) {
  const { launchId } = await params;
  const record = await loadLaunch(launchId);
  const pending = record?.pending;
  if (!pending?.popupAuthorizationUrl || pending.expiresAt < Date.now()) return <MessagePage code="unknown_launch_state" />;

  return (
    <main>
      <PopupSignIn authorizationUrl={pending.popupAuthorizationUrl} state={pending.state} />
    </main>
  );
}
