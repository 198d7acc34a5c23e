// The hooks section of the setup form's draft (config.hooks, config-hooks.ts). An empty command is no hook
// (null); a hook's own failStopsRun and timeout are kept, "as the section says" being null.
import { HOOK_NAMES, type HookConfig, type HookName, type HooksConfig } from '../../shared/config.js';

/** What a hook does when it fails: what the section says, or its own choice. */
export type HookOnFail = 'section' | 'stop' | 'continue';

export interface HookDraft {
  readonly command: string;
  readonly onFail: HookOnFail;
  /** Empty: the section's limit. */
  readonly timeoutSeconds: string;
}

export type HooksDraft = Readonly<Record<HookName, HookDraft>> & {
  readonly failStopsRun: boolean;
  readonly timeoutSeconds: string;
};

type HookInput = Partial<HookConfig> | null | undefined;
type HooksInput = Partial<Omit<HooksConfig, HookName>> & { readonly [K in HookName]?: HookInput };

function hookToDraft(h: HookInput): HookDraft {
  const onFail: HookOnFail = h?.failStopsRun === true ? 'stop' : h?.failStopsRun === false ? 'continue' : 'section';
  return { command: h?.command ?? '', onFail, timeoutSeconds: h?.timeoutSeconds === undefined || h.timeoutSeconds === null ? '' : String(h.timeoutSeconds) };
}

export function hooksToDraft(h: HooksInput | null | undefined): HooksDraft {
  const hooks = Object.fromEntries(HOOK_NAMES.map((name) => [name, hookToDraft(h?.[name])])) as Record<HookName, HookDraft>;
  return { ...hooks, failStopsRun: h?.failStopsRun ?? false, timeoutSeconds: String(h?.timeoutSeconds ?? 60) };
}

type Num = (path: string, text: string, opts?: { nullable?: boolean }) => number | null | undefined;

/** The config's `hooks`; `num` reports text that is not a number at its path. */
export function hooksFromDraft(d: HooksDraft, num: Num): unknown {
  const out: Record<string, unknown> = { failStopsRun: d.failStopsRun, timeoutSeconds: num('hooks.timeoutSeconds', d.timeoutSeconds) };
  for (const name of HOOK_NAMES) {
    const h = d[name];
    out[name] =
      h.command.trim() === ''
        ? null
        : { command: h.command, failStopsRun: h.onFail === 'section' ? null : h.onFail === 'stop', timeoutSeconds: num(`hooks.${name}.timeoutSeconds`, h.timeoutSeconds, { nullable: true }) };
  }
  return out;
}
