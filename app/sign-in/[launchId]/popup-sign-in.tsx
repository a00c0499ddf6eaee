"use client";

import { useEffect, useRef, useState } from "react";
import { useHydrated } from "@/app/_components/use-hydrated";
import { HANDBACK_MESSAGE_TYPE, HANDBACK_PARAMETER } from "@/lib/http/popup-handback";

type Status = "ready" | "waiting" | "blocked";

/**
 * Opens the login in a popup and waits for the popup's callback page to post
 * the authorization response back. A message counts only when it comes from
 * our own origin, from the popup this page opened, and carries this launch's `state`.
 */
export function PopupSignIn({ authorizationUrl, state }: { authorizationUrl: string; state: string }) {
  const popup = useRef<Window | null>(null);
  const [status, setStatus] = useState<Status>("ready");
  const hydrated = useHydrated();

  useEffect(() => {
    function onMessage(event: MessageEvent) {
      if (event.origin !== window.location.origin || event.source !== popup.current) return;
      const data = event.data as { type?: unknown; search?: unknown } | null;
      if (data?.type !== HANDBACK_MESSAGE_TYPE || typeof data.search !== "string") return;

      const params = new URLSearchParams(data.search);
      if (params.get("state") !== state) return;
      params.set(HANDBACK_PARAMETER, "done");
      window.location.assign(`/callback?${params.toString()}`);
    }
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
  }, [state]);

  function openPopup() {
    popup.current = window.open(authorizationUrl, "smart-sign-in", "popup=yes,width=520,height=720");
    setStatus(popup.current ? "waiting" : "blocked");
  }

  return (
    <section className="card" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in to continue</h1>
      <p>The sign-in page cannot be shown inside your EHR, so it opens in a new window.</p>
      {status === "waiting" ? <p role="status">Waiting for you to finish signing in in the other window…</p> : null}
      {status === "blocked" ? (
        <p role="alert">The browser blocked the sign-in window. Allow pop-ups for this site, then press the button again.</p>
      ) : null}
      <button type="button" onClick={openPopup} disabled={!hydrated}>
        {status === "ready" ? "Continue sign-in in a new window" : "Open the sign-in window again"}
      </button>
    </section>
  );
}
