/** The part of npm-pick-manifest's API we call (the package ships no types). */
declare module 'npm-pick-manifest' {
  interface PickOptions {
    defaultTag?: string;
    before?: string | Date;
    nodeVersion?: string;
    avoid?: string;
    avoidStrict?: boolean;
  }
  interface PickError extends Error {
    code: 'ETARGET' | 'ENOVERSIONS' | 'E403' | string;
  }
  function pickManifest<M extends Record<string, unknown>>(packument: { versions?: Record<string, M>; 'dist-tags'?: Record<string, string>; time?: Record<string, string> }, wanted: string, opts?: PickOptions): M & { version: string; _shrinkwrap?: unknown };
  export default pickManifest;
}
