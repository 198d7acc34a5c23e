// The early-stop section of the setup form's draft (config.earlyStop, config-early-stop.ts): numbers as text
// so an empty box can be edited; an empty pattern is none (null). The schema checks the rest.
import { EarlyStopSchema, type EarlyStopConfig } from '../../shared/config.js';

export interface EarlyStopDraft {
  readonly enabled: boolean;
  readonly pattern: string;
  readonly minFraction: string;
  readonly margin: string;
}

export function earlyStopToDraft(e: Partial<EarlyStopConfig> | null | undefined): EarlyStopDraft {
  const d = EarlyStopSchema.parse({});
  return { enabled: e?.enabled ?? d.enabled, pattern: e?.pattern ?? '', minFraction: String(e?.minFraction ?? d.minFraction), margin: String(e?.margin ?? d.margin) };
}

/** The config's `earlyStop`; `num` reports text that is not a number at its path. */
export function earlyStopFromDraft(d: EarlyStopDraft, num: (path: string, text: string) => number | null | undefined): unknown {
  return {
    enabled: d.enabled,
    pattern: d.pattern.trim() === '' ? null : d.pattern,
    minFraction: num('earlyStop.minFraction', d.minFraction),
    margin: num('earlyStop.margin', d.margin),
  };
}
