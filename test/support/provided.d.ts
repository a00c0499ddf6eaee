import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** Origin of the app started by the global setup. */
    appUrl: string;
  }
}
