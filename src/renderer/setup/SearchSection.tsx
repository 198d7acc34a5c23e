// Setup → Search (issue #25): which measured experiment each proposal starts from, and what the loop does on a
// plateau. Greedy is autoresearch's loop and the default; the bench (bench/search) says when tree pays.
import type { SearchStrategy } from '../../shared/config.js';
import { patch, type Draft } from './draft.js';
import { NumberField, RadioField, Section } from './fields.js';
import { sectionErrorCount, type SectionProps } from './setup-sections.js';

export function SearchSection({ draft, errors, setDraft }: SectionProps) {
  const s = draft.search;
  const set = (changes: Partial<Draft['search']>) => setDraft((d) => patch(d, 'search', changes));
  return (
    <Section
      id="search"
      title="Search"
      description="Where each proposal starts from. Greedy climbs from the best, as autoresearch does; tree may go back to a promising earlier node to get past a local optimum."
      errorCount={sectionErrorCount(errors, 'search')}
    >
      <RadioField<SearchStrategy>
        path="search.strategy"
        label="Strategy"
        value={s.strategy}
        onChange={(strategy) => set({ strategy })}
        errors={errors}
        options={[
          { value: 'greedy', label: 'Greedy (default): always from the best' },
          { value: 'tree', label: 'Tree: from any measured node, by UCB' },
          { value: 'islands', label: 'Islands: separate lines, the best copied to all now and then' },
        ]}
      />
      <NumberField
        path="search.plateauAfter"
        label="Plateau after"
        unit="experiments without a keep"
        value={s.plateauAfter}
        onChange={(plateauAfter) => set({ plateauAfter })}
        errors={errors}
        hint="Then the agent is told so, shown the ideas that came closest, and the search widens."
      />
      {s.strategy === 'tree' ? (
        <NumberField path="search.exploration" label="Exploration" value={s.exploration} onChange={(exploration) => set({ exploration })} errors={errors} hint="0 = always the best-measured node; higher tries less-visited nodes more often." />
      ) : null}
      {s.strategy === 'islands' ? (
        <NumberField path="search.migrateEvery" label="Copy the best every" unit="experiments" value={s.migrateEvery} onChange={(migrateEvery) => set({ migrateEvery })} errors={errors} />
      ) : null}
    </Section>
  );
}
