"use client";

import { useState, type FormEvent, type ReactNode } from "react";

/**
 * Render the patient list's form. When the user picks "In a new window", the
 * form targets a new window. Without JavaScript the launch replaces the EHR page.
 */
export function LaunchForm({ action, children }: { action: string; children: ReactNode }) {
  const [target, setTarget] = useState<string | undefined>(undefined);

  function onChange(event: FormEvent<HTMLFormElement>) {
    const input = event.target as HTMLInputElement;
    if (input.name === "display") setTarget(input.value === "window" ? "_blank" : undefined);
  }

  return (
    <form method="get" action={action} target={target} onChange={onChange}>
      {children}
    </form>
  );
}
