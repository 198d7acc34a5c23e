// Types for build-fresh.mjs (a plain script: npm start runs it before anything is built).
export declare const BUILD_INPUTS: readonly string[];
export declare const BUILD_OUTPUTS: readonly string[];
export declare function changedSinceBuild(root: string, inputs?: readonly string[], outputs?: readonly string[]): string | null;
