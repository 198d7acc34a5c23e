// bench/kill-campaign: the long kill -9 campaign — 100 seeded kill points across the whole cycle (baseline
// and its repeat, proposing, committing, trainer, confirmation run, guard, decision; one and two slots),
// each followed by a resume whose state is checked (see test/helpers/kill-campaign.ts). Prints the tally.
// Needs `npm run build` (the CLI bundle). Run: node bench/run.mjs kill-campaign [kills=100] [seed]
import { formatTally, runKillCampaign } from '../test/helpers/kill-campaign.js';

const kills = Number(process.argv[2] ?? 100);
const seed = Number(process.argv[3] ?? 20261130);
const result = await runKillCampaign({ kills, seed, log: (l) => console.log(l) });
console.log(`\nkill -9 campaign, seed ${seed}: ${result.kills} kills, ${result.experiments} experiments, final stop: ${result.finalStop}, ${(result.wallMs / 1000).toFixed(0)} s`);
console.log('kill points by phase:');
console.log(formatTally(result.tally));
console.log(result.failures.length ? `\n${result.failures.length} broken invariant(s):\n${result.failures.join('\n')}` : '\nno finished experiment lost or changed, no process left, branch = best keep, results.tsv = journal fold, after every kill');
process.exit(result.failures.length ? 1 : 0);
