// Writes resources/demo/data/corpus.txt: a generated, deterministic English-like corpus for the demo's
// character-level model (no licence questions, same bytes on every machine). Run: node scripts/make-demo-corpus.mjs
import { writeFileSync } from 'node:fs';

let state = 20260324;
const rand = () => {
  // mulberry32: tiny, seeded, good enough for text
  state = (state + 0x6d2b79f5) | 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (list) => list[Math.floor(rand() * list.length)];

const names = ['the miller', 'the old sailor', 'a young clerk', 'the baker', 'my sister', 'the captain', 'a quiet student', 'the gardener', 'the river pilot', 'her brother', 'the night watchman', 'a travelling tinker'];
const adjectives = ['cold', 'bright', 'narrow', 'silent', 'heavy', 'golden', 'crooked', 'gentle', 'distant', 'broken', 'patient', 'careful'];
const nouns = ['lantern', 'harbour', 'letter', 'garden', 'bridge', 'window', 'market', 'ledger', 'kettle', 'meadow', 'engine', 'compass', 'orchard', 'chapel', 'workshop'];
const verbs = ['carried', 'painted', 'mended', 'counted', 'followed', 'opened', 'watched', 'borrowed', 'measured', 'remembered', 'crossed', 'sold'];
const places = ['by the river', 'near the mill', 'under the old bridge', 'in the quiet town', 'along the northern road', 'at the edge of the wood', 'behind the station', 'on the long pier'];
const times = ['at dawn', 'before supper', 'in the spring', 'every morning', 'late at night', 'after the storm', 'on sunday', 'when the bells rang'];
const links = ['and', 'but', 'so', 'because', 'while', 'although'];
const says = ['"we shall see," said', '"not today," said', '"it is late," said', '"look there," said'];

function clause() {
  const r = rand();
  if (r < 0.45) return `${pick(names)} ${pick(verbs)} the ${pick(adjectives)} ${pick(nouns)} ${pick(places)}`;
  if (r < 0.7) return `${pick(names)} ${pick(verbs)} a ${pick(nouns)} ${pick(times)}`;
  if (r < 0.85) return `the ${pick(nouns)} was ${pick(adjectives)} ${pick(times)}`;
  return `${pick(says)} ${pick(names)}`;
}

function sentence() {
  let s = clause();
  if (rand() < 0.4) s += `, ${pick(links)} ${clause()}`;
  return s.charAt(0).toUpperCase() + s.slice(1) + (rand() < 0.1 ? '!' : '.');
}

const paragraphs = [];
let size = 0;
while (size < 160_000) {
  const sentences = Array.from({ length: 3 + Math.floor(rand() * 5) }, sentence);
  const p = sentences.join(' ');
  paragraphs.push(p);
  size += p.length + 2;
}
writeFileSync(new URL('../resources/demo/data/corpus.txt', import.meta.url), paragraphs.join('\n\n') + '\n');
console.log(`wrote ${size} characters`);
