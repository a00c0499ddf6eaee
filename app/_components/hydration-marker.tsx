"use client";

import { useEffect } from "react";

/**
 * Marks the document once React has hydrated it. Tests wait for the mark
 * before they touch form controls: a radio button checked before hydration can
 * be reset by it, which signed a test in as the wrong sandbox user.
 */
export function HydrationMarker() {
  useEffect(() => {
    document.documentElement.dataset.hydrated = "true";
  }, []);
  return null;
}
