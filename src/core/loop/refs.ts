// Names of the git refs a run owns.
export const branchFor = (tag: string) => `autoresearch/${tag}`;
/** Every candidate commit stays reachable here, kept or not, so its diff can be shown forever. */
export const candidateRef = (tag: string, id: number) => `refs/autoresearch/${tag}/${id}`;
