import type { Metadata } from "next";
import "./globals.css";
import { HydrationMarker } from "./_components/hydration-marker";

// Every page is rendered per request so that Next.js can put the CSP nonce on its scripts.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "SMART on FHIR with Descope",
  description: "Launch from your EHR or sign in as a patient to see health records.",
  icons: { icon: "/favicon.svg" },
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        {children}
        <HydrationMarker />
      </body>
    </html>
  );
}
