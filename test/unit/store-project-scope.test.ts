// The renderer keeps runs per project: two projects can each have a run "dec5". Pushes name their project;
// the studio store applies and passes on only the open project's, a project switch empties the run lists,
// and the run store (keyed by project and tag) forgets everything, including loads still on their way.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Api, ApiClient, LiveRun, ProjectInfo, RunDetail, RunSummary, StudioEvent } from '../../src/shared/api.js';
import { applyStudioEvent, connectStudio, resetStudio, subscribeStudioEvents, useStudio } from '../../src/renderer/store/studio.js';
import { loadRun, runKey, useRunStore } from '../../src/renderer/history/run-store.js';
import { makeExperiment } from '../fixtures/make-run.js';
import { createFakeStudio, fakeSnapshot } from '../e2e/helpers/fake-studio.js';

const projectAt = (dir: string) => ({ dir, name: dir.slice(1), isGit: true, config: null, configErrors: [], dirtyFiles: [] }) as unknown as ProjectInfo;
const summary = (tag: string) => ({ tag, state: 'stopped' }) as unknown as RunSummary;
const live = (tag: string) => ({ tag, state: 'running', slots: [], stopConditions: [], budgetSeconds: 1, timeoutSeconds: 2 }) as LiveRun;
const detailOf = (tag: string, ids: number[]) =>
  ({ tag, state: 'stopped', experiments: ids.map((id) => makeExperiment({ id })), experimentsOffset: 0, experimentsTotal: ids.length }) as unknown as RunDetail & { experimentsOffset: number; experimentsTotal: number };

const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

beforeEach(() => {
  resetStudio();
  useRunStore.setState({ entries: {}, loadedAt: {} });
});

describe('studio store: pushes of the open project only', () => {
  it('ignores run lists and live state of another project, and empties them when the project changes', () => {
    const s0 = { ...useStudio.getState(), project: projectAt('/a'), seq: 1 };
    const s1 = applyStudioEvent(s0, { seq: 2, type: 'runs', project: '/a', runs: [summary('dec5')] });
    expect(s1.runs.map((r) => r.tag)).toEqual(['dec5']);
    const s2 = applyStudioEvent(s1, { seq: 3, type: 'live', project: '/b', live: live('dec5') });
    expect(s2.live).toBeNull();
    expect(s2.seq).toBe(3);
    // The same project again (a saved config): its runs stay.
    expect(applyStudioEvent(s2, { seq: 4, type: 'project', project: projectAt('/a') }).runs).toBe(s1.runs);
    const s3 = applyStudioEvent({ ...s2, live: live('dec5') }, { seq: 4, type: 'project', project: projectAt('/b') });
    expect(s3.runs).toEqual([]);
    expect(s3.live).toBeNull();
    expect(applyStudioEvent(s3, { seq: 5, type: 'runs', project: '/a', runs: [summary('dec5')] }).runs).toEqual([]);
  });

  it('passes on experiment and log pushes of the open project only', async () => {
    const fake = createFakeStudio({ snapshot: () => ({ ...fakeSnapshot(0), project: projectAt('/b') }) });
    const client: ApiClient = { api: fake.api, onEvent: (l) => fake.onEvent(l) };
    const seen: StudioEvent[] = [];
    const off = subscribeStudioEvents((e) => seen.push(e));
    const disconnect = connectStudio(client);
    await waitFor(() => useStudio.getState().loaded);
    fake.emit({ type: 'experiment', project: '/a', tag: 'dec5', experiment: makeExperiment({ id: 7 }) });
    fake.emit({ type: 'log', project: '/a', tag: 'dec5', id: 7, text: 'from a\n' });
    fake.emit({ type: 'experiment', project: '/b', tag: 'dec5', experiment: makeExperiment({ id: 1 }) });
    await waitFor(() => seen.length >= 1);
    expect(seen.map((e) => (e.type === 'experiment' ? `${e.project}#${e.experiment.id}` : e.type))).toEqual(['/b#1']);
    expect(useStudio.getState().seq).toBe(3);
    off();
    disconnect();
  });
});

describe('run store: keyed by project and tag', () => {
  it('keeps a run under its project, forgets all of them when another project opens, and drops loads begun before', async () => {
    useStudio.setState({ project: projectAt('/a') });
    const answers: ((d: RunDetail) => void)[] = [];
    const api = { getRun: () => new Promise((resolve) => answers.push(resolve)) } as unknown as Api;

    const loadA = loadRun(api, 'dec5');
    answers.shift()!(detailOf('dec5', [0, 1, 2]));
    await loadA;
    const entryA = useRunStore.getState().entries[runKey('/a', 'dec5')];
    expect(entryA?.state === 'ready' ? entryA.detail.experiments.map((e) => e.id) : entryA).toEqual([0, 1, 2]);

    // Another load of A's run is on its way when B opens; what it brings back must not land anywhere.
    useRunStore.setState({ entries: {}, loadedAt: {} });
    const late = loadRun(api, 'other');
    useStudio.setState({ project: projectAt('/b') });
    expect(useRunStore.getState().entries).toEqual({});
    answers.shift()!(detailOf('other', [5]));
    await late;
    expect(useRunStore.getState().entries).toEqual({});

    const loadB = loadRun(api, 'dec5');
    answers.shift()!(detailOf('dec5', [0]));
    await loadB;
    const entries = useRunStore.getState().entries;
    expect(Object.keys(entries)).toEqual([runKey('/b', 'dec5')]);
    const entryB = entries[runKey('/b', 'dec5')];
    expect(entryB?.state === 'ready' ? entryB.detail.experiments.map((e) => e.id) : entryB).toEqual([0]);
  });
});
