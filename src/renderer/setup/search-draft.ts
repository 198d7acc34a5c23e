// The search section of the setup form's draft (config.search, config-search.ts): numbers as text so an empty box
// can be edited; the schema checks them.
import { SearchSchema, type SearchConfig, type SearchStrategy } from '../../shared/config.js';

export interface SearchDraft {
  readonly strategy: SearchStrategy;
  readonly plateauAfter: string;
  readonly exploration: string;
  readonly migrateEvery: string;
}

export function searchToDraft(s: Partial<SearchConfig> | null | undefined): SearchDraft {
  const d = SearchSchema.parse({});
  return {
    strategy: s?.strategy ?? d.strategy,
    plateauAfter: String(s?.plateauAfter ?? d.plateauAfter),
    exploration: String(s?.exploration ?? d.exploration),
    migrateEvery: String(s?.migrateEvery ?? d.migrateEvery),
  };
}

/** The config's `search`; `num` reports text that is not a number at its path. */
export function searchFromDraft(d: SearchDraft, num: (path: string, text: string) => number | null | undefined): unknown {
  return {
    strategy: d.strategy,
    plateauAfter: num('search.plateauAfter', d.plateauAfter),
    exploration: num('search.exploration', d.exploration),
    migrateEvery: num('search.migrateEvery', d.migrateEvery),
  };
}
