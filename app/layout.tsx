import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: "SMART on FHIR with Descope",
  description: "Launch from your EHR or sign in as a patient to see health records.",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
