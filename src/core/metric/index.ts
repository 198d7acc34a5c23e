// Reading the number: the metric extraction the loop and the setup form share.
export { createMetricScanner, extractMetric, MAX_LINE_CHARS, MAX_METRIC_NAMES, type MetricScan, type MetricScanner } from './scanner.js';
export { readJsonMetric, scanJsonText, type JsonMetricConfig, type ReadJsonMetricOptions } from './json-metric.js';
export { explainMissingMetric, testMetricOnText, lastLines } from './explain.js';
export { parseMetricNumber, type ParsedNumber } from './parse-number.js';
export { isMetricName, METRIC_NAME_SOURCE, RESERVED_METRIC_NAMES } from '../../shared/metric-name.js';
