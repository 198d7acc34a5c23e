// Names of the git refs a run owns.
export const branchFor = (tag: string) => `autoresearch/${tag}`;
/** Every candidate commit stays reachable here, kept or not, so its diff can be shown forever. */
export const candidateRef = (tag: string, id: number) => `refs/autoresearch/${tag}/${id}`;
/** A candidate carried onto a best that moved while it was measured (the commit that was measured again). */
export const carriedRef = (tag: string, id: number) => `refs/autoresearch/${tag}/carried/${id}`;
