// Same Next.js as the app (resolved from the repository's node_modules), built into its own folder.
export default { distDir: ".next-bench", poweredByHeader: false };
