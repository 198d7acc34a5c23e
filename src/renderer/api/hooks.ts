// React access to the Api: the typed methods, and pushes for the lifetime of a component.
import { useEffect, useRef } from 'react';
import type { Api, StudioEvent } from '../../shared/api.js';
import { subscribeStudioEvents } from '../store/studio.js';
import { getClient } from './client.js';

export function useApi(): Api {
  return getClient().api;
}

/** Calls `listener` for each new StudioEvent (deduplicated by seq) while the component is mounted. */
export function useStudioEvent(listener: (e: StudioEvent) => void): void {
  const ref = useRef(listener);
  useEffect(() => {
    ref.current = listener;
  });
  useEffect(() => subscribeStudioEvents((e) => ref.current(e)), []);
}
