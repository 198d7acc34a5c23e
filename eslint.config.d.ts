// Types for what tests import from eslint.config.js (the layer ladder of src/core).
export declare const CORE_LAYERS: readonly (readonly string[])[];
declare const config: unknown;
export default config;
