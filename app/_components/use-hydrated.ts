"use client";

import { useSyncExternalStore } from "react";

function subscribe(): () => void {
  return () => {};
}

/**
 * Return false while the server renders the page and the browser hydrates it,
 * and true after. Buttons that work only through JavaScript stay disabled
 * until then, so that a click made before hydration is not silently lost.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
