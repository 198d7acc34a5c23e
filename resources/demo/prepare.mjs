// prepare.mjs — fixed constants, data and the evaluation. READ-ONLY: the agent may not edit this file
// (Autoresearch Studio hashes it before every experiment). Mirrors prepare.py of karpathy/autoresearch, with
// one difference: the budget is a number of steps, not seconds (a CPU demo must not depend on the load).
import { readFileSync } from 'node:fs';

/**
 * Training steps of every experiment: a fixed amount of work, so the same code gives the same val_bpb on an
 * idle and on a busy machine (a busy machine only makes it slower). A time budget would make the result
 * depend on how many steps the CPU happened to allow.
 */
export const TRAIN_STEPS = 5000;
/**
 * Seconds of training at most, given by the app as AUTORESEARCH_TIME_BUDGET (default 30): a cap for a change
 * that makes steps much slower, not the budget. A run stopped by it still reports, with fewer steps.
 */
export const TIME_BUDGET = Number(process.env.AUTORESEARCH_TIME_BUDGET ?? 30);
/** Characters of validation text scored by evaluateBpb; fixed so every experiment is judged the same way. */
export const EVAL_CHARS = 12_000;

const text = readFileSync(new URL('./data/corpus.txt', import.meta.url), 'utf8');
const chars = [...new Set(text)].sort();
export const VOCAB = chars.length;
const index = new Map(chars.map((c, i) => [c, i]));
const tokens = Uint8Array.from(text, (c) => index.get(c));
const split = Math.floor(tokens.length * 0.9);

/** Training and validation tokens (character ids). */
export function loadData() {
  return { train: tokens.subarray(0, split), val: tokens.subarray(split), vocab: VOCAB, chars };
}

/**
 * Bits per character on the first EVAL_CHARS characters of the validation split.
 * `logProbs(context, out)` fills `out` (length VOCAB) with log-probabilities (natural log) of the next
 * character given `context` (an array of the previous `contextSize` character ids, oldest first).
 */
export function evaluateBpb(logProbs, contextSize) {
  const { val } = loadData();
  const out = new Float64Array(VOCAB);
  const context = new Array(contextSize).fill(0);
  let nats = 0;
  const n = Math.min(EVAL_CHARS, val.length - contextSize);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < contextSize; k++) context[k] = val[i + k];
    logProbs(context, out);
    const lp = out[val[i + contextSize]];
    nats -= Number.isFinite(lp) ? lp : -50;
  }
  return nats / n / Math.LN2;
}

/** Seeded random numbers (mulberry32), so runs differ only by what the agent changed. */
export function makeRng(seed) {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
