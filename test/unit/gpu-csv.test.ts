import { describe, expect, it } from 'vitest';
import { parseNvidiaSmiCsv } from '../../src/core/gpu/index.js';

describe('parseNvidiaSmiCsv', () => {
  it('parses one GpuStat per line', () => {
    const text = '0, NVIDIA H100 80GB HBM3, 97, 45060, 81559, 64, 612.35\n1, NVIDIA H100 80GB HBM3, 0, 4, 81559, 31, 71.02\n';
    expect(parseNvidiaSmiCsv(text)).toEqual([
      { index: 0, name: 'NVIDIA H100 80GB HBM3', utilizationPercent: 97, memoryUsedMb: 45060, memoryTotalMb: 81559, temperatureC: 64, powerW: 612.35 },
      { index: 1, name: 'NVIDIA H100 80GB HBM3', utilizationPercent: 0, memoryUsedMb: 4, memoryTotalMb: 81559, temperatureC: 31, powerW: 71.02 },
    ]);
  });

  it('turns [N/A], [Not Supported] and other non-numbers into null', () => {
    const [gpu] = parseNvidiaSmiCsv('3, NVIDIA A100-SXM4-40GB MIG 1g.5gb, [N/A], 1234, [Not Supported], [Unknown Error], N/A\r\n');
    expect(gpu).toEqual({
      index: 3,
      name: 'NVIDIA A100-SXM4-40GB MIG 1g.5gb',
      utilizationPercent: null,
      memoryUsedMb: 1234,
      memoryTotalMb: null,
      temperatureC: null,
      powerW: null,
    });
  });

  it('keeps a name that contains a comma', () => {
    expect(parseNvidiaSmiCsv('0, Tesla V100, PCIe, 5, 10, 16384, 40, 30.5')[0]).toMatchObject({ name: 'Tesla V100, PCIe', utilizationPercent: 5, powerW: 30.5 });
  });

  it('skips error messages, headers and blank lines', () => {
    const text = [
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
      'index, name, utilization.gpu [%], memory.used [MiB], memory.total [MiB], temperature.gpu, power.draw [W]',
      '',
      '0, GPU, 1, 2, 3, 4, 5',
      'No devices were found',
    ].join('\n');
    expect(parseNvidiaSmiCsv(text).map((g) => g.index)).toEqual([0]);
    expect(parseNvidiaSmiCsv('')).toEqual([]);
  });
});
