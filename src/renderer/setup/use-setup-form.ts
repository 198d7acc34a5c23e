// The setup form's state: the draft being edited, its errors (the form's own and the engine's, validated
// live), whether it differs from the saved config, and saving it (the Save button and Ctrl/⌘+S).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ProjectInfo } from '../../shared/api.js';
import type { FieldError } from '../../shared/config.js';
import { useApi } from '../api/hooks.js';
import { hasMod } from '../components/KeyboardShortcuts.js';
import { clearToast, toast } from '../components/Toast.js';
import { fromDraft, mergeErrors, toDraft, type Draft } from './draft.js';

export function useSetupForm(project: ProjectInfo) {
  const api = useApi();
  const [draft, setDraft] = useState<Draft>(() => toDraft(project.config ?? project.suggestedConfig));
  const [saved, setSaved] = useState<string>(() => (project.config ? JSON.stringify(fromDraft(toDraft(project.config)).config) : ''));
  const [serverErrors, setServerErrors] = useState<readonly FieldError[]>([]);
  const [validating, setValidating] = useState(false);
  const [saving, setSaving] = useState(false);

  const conversion = useMemo(() => fromDraft(draft), [draft]);
  const configJson = useMemo(() => JSON.stringify(conversion.config), [conversion]);
  const dirty = configJson !== saved;
  const errors = useMemo(() => mergeErrors(conversion.errors, serverErrors), [conversion.errors, serverErrors]);

  // A save elsewhere (another window, the CLI) reloads the form unless the user has unsaved edits.
  const savedConfigJson = project.config ? JSON.stringify(fromDraft(toDraft(project.config)).config) : '';
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;
  useEffect(() => {
    if (!savedConfigJson || savedConfigJson === saved) return;
    if (!dirtyRef.current) {
      setDraft(toDraft(project.config));
      setSaved(savedConfigJson);
    }
  }, [savedConfigJson, saved, project.config]);

  // Live validation against the engine's schema, debounced; only the latest answer counts.
  const validation = useRef(0);
  useEffect(() => {
    const mine = ++validation.current;
    setValidating(true);
    const t = setTimeout(() => {
      api
        .validateConfig({ config: conversion.config })
        .then((r) => mine === validation.current && setServerErrors(r.errors))
        .catch((err: Error) => mine === validation.current && setServerErrors([{ path: '', message: `Could not validate: ${err.message}` }]))
        .finally(() => mine === validation.current && setValidating(false));
    }, 250);
    return () => clearTimeout(t);
  }, [api, configJson, conversion.config]);

  const save = useCallback(async () => {
    if (saving) return;
    setSaving(true);
    try {
      const result = await api.saveConfig({ config: conversion.config });
      if (result.ok) {
        setServerErrors([]);
        setSaved(configJson);
        toast('info', 'Setup saved to .autoresearch/config.json', 'setup-save');
      } else {
        // One place per failure: the form marks each problem next to its field and counts them in its
        // header, so no toast repeats them (and an earlier one about this save is taken back).
        setServerErrors(result.errors);
        clearToast('setup-save');
      }
    } catch (err) {
      toast('error', `Not saved: ${(err as Error).message}`, 'setup-save');
    } finally {
      setSaving(false);
    }
  }, [api, configJson, conversion.config, saving]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (hasMod(e) && e.key.toLowerCase() === 's') {
        e.preventDefault();
        void save();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [save]);

  return { draft, setDraft, conversion, errors, dirty, validating, saving, save };
}
