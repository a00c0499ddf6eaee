"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

/** Render a link of the launch navigation, marked with aria-current when it is the page shown. */
export function LaunchNavLink({ href, children }: { href: string; children: React.ReactNode }) {
  const current = usePathname() === href;

  // No prefetch: it would render the other page on the server while the patient's records load.
  return (
    <Link href={href} prefetch={false} aria-current={current ? "page" : undefined}>
      {children}
    </Link>
  );
}
