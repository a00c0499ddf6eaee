import type { Metadata } from "next";
import { HydrationMarker } from "./_components/hydration-marker";
import { APP_CSS } from "./app-css";

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
      <head>
        {/* Our own constant, not user input; the CSP allows inline styles for React's style attributes. */}
        <style dangerouslySetInnerHTML={{ __html: APP_CSS }} />
      </head>
      <body>
        {children}
        <HydrationMarker />
      </body>
    </html>
  );
}
