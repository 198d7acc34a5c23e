// The kill -9 campaign, bounded for CI: seeded kill points across the whole cycle (see
// test/helpers/kill-campaign.ts); `node bench/run.mjs kill-campaign` runs the long one (100 kills).
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../helpers/cli.js';
import { formatTally, runKillCampaign } from '../helpers/kill-campaign.js';

beforeAll(buildCli);

const KILLS = Number(process.env.KILL_CAMPAIGN_KILLS ?? 12);
const SEED = Number(process.env.KILL_CAMPAIGN_SEED ?? 20261130);

describe('kill -9 campaign', () => {
  it(`${KILLS} seeded kills across the cycle: nothing lost, nothing left running, branch and results.tsv whole`, async () => {
    const result = await runKillCampaign({ kills: KILLS, seed: SEED });
    console.log(`kill -9 campaign (seed ${SEED}): ${result.kills} kills, ${result.experiments} experiments, ${(result.wallMs / 1000).toFixed(0)} s\n${formatTally(result.tally)}`);
    expect(result.failures).toEqual([]);
    expect(result.kills).toBe(KILLS);
    expect(result.finalStop).toBe('max-experiments');
  }, 600_000);
});
