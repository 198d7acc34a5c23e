// GPU discovery and telemetry (nvidia-smi). Tests put test/fixtures/bin (a fake nvidia-smi) first on PATH.
export { parseNvidiaSmiCsv, NVIDIA_SMI_ARGS, NVIDIA_SMI_FIELDS } from './nvidia-smi-csv.js';
export { queryGpus, detectGpuCount, DEFAULT_GPU_QUERY_TIMEOUT_MS, type QueryGpusOptions } from './query-gpus.js';
export { startGpuPoller, type GpuPollerOptions } from './poller.js';
export { gpuHostsOf, queryRemoteGpus, type GpuHost } from './remote-gpus.js';
