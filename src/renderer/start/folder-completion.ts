// Completion for a typed project path (serve, where there is no folder picker): the folders of the part
// typed up to the last separator that start with the rest, e.g. "/home/me/au" → "/home/me/autoresearch".
import { useEffect, useState } from 'react';
import type { Api } from '../../shared/api.js';

/** Split a typed path into the folder to list and the name prefix; null before the first separator. */
export function splitTypedPath(typed: string): { readonly parent: string; readonly prefix: string } | null {
  const cut = Math.max(typed.lastIndexOf('/'), typed.lastIndexOf('\\'));
  return cut < 0 ? null : { parent: typed.slice(0, cut + 1), prefix: typed.slice(cut + 1) };
}

export function useFolderCompletion(api: Api, typed: string, limit = 50): readonly string[] {
  const [suggestions, setSuggestions] = useState<readonly string[]>([]);
  useEffect(() => {
    const split = splitTypedPath(typed);
    if (!split) {
      setSuggestions([]);
      return;
    }
    let live = true;
    // Wait for a pause in typing: one listing per pause, not per key.
    const timer = setTimeout(() => {
      api
        .listFolders({ dir: split.parent })
        .then((r) => {
          if (live) setSuggestions(r.folders.filter((f) => f.startsWith(split.prefix)).slice(0, limit).map((f) => split.parent + f));
        })
        .catch(() => {
          // Suggestions only: a folder that cannot be listed suggests nothing; opening it says what is wrong.
          if (live) setSuggestions([]);
        });
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, typed, limit]);
  return suggestions;
}
