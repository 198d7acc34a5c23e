// The held-out section of the setup form's draft (config.heldout, config-heldout.ts). An empty command means no
// held-out check (heldout: null); otherwise the schema checks the rest and its messages show by the fields.
import type { HeldoutConfig, HeldoutWhen } from '../../shared/config.js';
import type { ExtractKind } from './draft.js';

export interface HeldoutDraft {
  readonly command: string;
  readonly name: string;
  readonly direction: 'min' | 'max';
  readonly extractKind: ExtractKind;
  readonly pattern: string;
  readonly jsonFile: string;
  readonly jsonKey: string;
  readonly when: HeldoutWhen;
  readonly timeoutSeconds: string;
}

type HeldoutInput = Partial<Omit<HeldoutConfig, 'metric'>> & { readonly metric?: Partial<HeldoutConfig['metric']> };

export function heldoutToDraft(h: HeldoutInput | null | undefined): HeldoutDraft {
  const extract = h?.metric?.extract ?? { kind: 'line' as const };
  return {
    command: h?.command ?? '',
    name: h?.metric?.name ?? '',
    direction: h?.metric?.direction ?? 'min',
    extractKind: extract.kind,
    pattern: extract.kind === 'regex' ? extract.pattern : '',
    jsonFile: extract.kind === 'json' ? extract.file : '',
    jsonKey: extract.kind === 'json' ? extract.key : '',
    when: h?.when ?? 'each-keep',
    timeoutSeconds: String(h?.timeoutSeconds ?? 600),
  };
}

/** The config's `heldout`: null without a command; `num` reports text that is not a number at its path. */
export function heldoutFromDraft(d: HeldoutDraft, num: (path: string, text: string) => number | null | undefined): unknown {
  if (d.command.trim() === '') return null;
  const extract = d.extractKind === 'regex' ? { kind: 'regex', pattern: d.pattern } : d.extractKind === 'json' ? { kind: 'json', file: d.jsonFile, key: d.jsonKey } : { kind: d.extractKind };
  return {
    command: d.command,
    metric: { name: d.name, direction: d.direction, extract },
    when: d.when,
    timeoutSeconds: num('heldout.timeoutSeconds', d.timeoutSeconds),
  };
}
