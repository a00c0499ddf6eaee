import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { NEXT_BIN, REPO_ROOT } from "./servers.mjs";

/**
 * Run `next build` for the Next.js app in `dir` into `distDir` and return its
 * wall time in seconds. `next build` adds `{distDir}/types/**\/*.ts` to the
 * tsconfig.json it finds, so the file is put back as it was: other builds of
 * this checkout must not see the benchmark's folder.
 */
export async function nextBuild({ dir = REPO_ROOT, distDir, log }) {
  const tsconfigPath = path.join(dir, "tsconfig.json");
  let tsconfig;
  try {
    tsconfig = readFileSync(tsconfigPath, "utf8");
  } catch {
    tsconfig = undefined;
  }

  const started = performance.now();
  try {
    await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [NEXT_BIN, "build", dir], {
        cwd: dir,
        env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", NEXT_DIST_DIR: distDir },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next build of ${dir} failed with code ${code}:\n${output.slice(-4000)}`))));
    });
  } finally {
    if (tsconfig !== undefined && readFileSync(tsconfigPath, "utf8") !== tsconfig) {
      writeFileSync(tsconfigPath, tsconfig);
      log?.(`restored ${path.relative(REPO_ROOT, tsconfigPath) || "tsconfig.json"} after next build rewrote it`);
    }
  }
  return (performance.now() - started) / 1000;
}
