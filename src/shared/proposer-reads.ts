// Which proposers read program.md and steering notes. claude, openai-compatible and command put both in
// their prompt; the offline mutation proposer tweaks numeric constants and reads neither, so the app must
// not tell its user that "the agent reads this". Pure (no Node, no DOM).
import type { ProjectConfig } from './config.js';

export type ProposerKind = ProjectConfig['agent']['proposer'];

export const PROPOSERS_THAT_READ: readonly ProposerKind[] = ['claude', 'openai-compatible', 'command'];

/** True when the proposer reads program.md and steering notes before each proposal. */
export function proposerReads(proposer: ProposerKind): boolean {
  return PROPOSERS_THAT_READ.includes(proposer);
}

/** The line above program.md in the app. */
export function programReaderText(proposer: ProposerKind): string {
  return proposerReads(proposer)
    ? `The ${proposer} proposer reads this before every proposal.`
    : `The ${proposer} proposer does not read program.md (it tweaks numeric constants offline); the claude, openai-compatible and command proposers do. Choose one in Setup → Agent.`;
}

/** Why steering notes are off for this proposer, or null when it reads them. */
export function steerUnreadReason(proposer: ProposerKind): string | null {
  return proposerReads(proposer) ? null : `The ${proposer} proposer does not read steering notes; the claude, openai-compatible and command proposers do (Setup → Agent).`;
}
