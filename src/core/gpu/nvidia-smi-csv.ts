// Parsing `nvidia-smi --query-gpu=... --format=csv,noheader,nounits`.
import type { GpuStat } from '../../shared/api.js';

/** The fields asked for, in the order parseNvidiaSmiCsv expects them. */
export const NVIDIA_SMI_FIELDS = ['index', 'name', 'utilization.gpu', 'memory.used', 'memory.total', 'temperature.gpu', 'power.draw'] as const;

export const NVIDIA_SMI_ARGS: readonly string[] = [`--query-gpu=${NVIDIA_SMI_FIELDS.join(',')}`, '--format=csv,noheader,nounits'];

/** `[N/A]`, `[Not Supported]`, `[Unknown Error]` and anything else that is not a number → null. */
function numberOrNull(field: string): number | null {
  const t = field.trim();
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(t)) return null;
  return Number(t);
}

/** One GpuStat per well-formed line; other lines (errors, a header) are skipped. */
export function parseNvidiaSmiCsv(text: string): GpuStat[] {
  const out: GpuStat[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const fields = raw.split(',');
    if (fields.length < NVIDIA_SMI_FIELDS.length) continue;
    // A product name may itself contain a comma: the name is whatever lies between index and the 5 numbers.
    const tail = fields.slice(fields.length - 5);
    const index = numberOrNull(fields[0]!);
    if (index === null || !Number.isInteger(index) || index < 0) continue;
    const [util, used, total, temp, power] = tail.map(numberOrNull) as [number | null, number | null, number | null, number | null, number | null];
    out.push({
      index,
      name: fields.slice(1, fields.length - 5).join(',').trim(),
      utilizationPercent: util,
      memoryUsedMb: used,
      memoryTotalMb: total,
      temperatureC: temp,
      powerW: power,
    });
  }
  return out;
}
