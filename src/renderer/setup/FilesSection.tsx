// Setup → Files: which files the agent may edit, must leave byte-identical, may read, and which untracked
// inputs are linked into each worktree, picked from the project's file list.
import { useCallback, useEffect, useState } from 'react';
import type { FileEntry } from '../../shared/api.js';
import { useApi } from '../api/hooks.js';
import { patch } from './draft.js';
import { FilePicker, type FileList } from './FilePicker.js';
import { Section } from './fields.js';
import { sectionErrorCount, type SectionProps } from './setup-sections.js';

export function FilesSection({ draft, errors, setDraft, isGit }: SectionProps & { readonly isGit: boolean }) {
  const api = useApi();
  const [files, setFiles] = useState<readonly FileEntry[] | null>(null);
  const [filesError, setFilesError] = useState<string | null>(null);

  // Listed again when the folder becomes a git repository: the list then tells tracked files apart.
  const loadFiles = useCallback(() => {
    api
      .listFiles({})
      .then((r) => {
        setFiles(r.files);
        setFilesError(null);
      })
      .catch((err: Error) => setFilesError(`Could not list the project's files: ${err.message}`));
  }, [api]);
  useEffect(() => loadFiles(), [loadFiles, isGit]);

  const setList = (kind: FileList, next: readonly string[]) => setDraft((d) => patch(d, 'files', { [kind]: next }));
  return (
    <Section id="files" title="Files" description="The harness enforces these: a proposal that touches anything else is rejected." errorCount={sectionErrorCount(errors, 'files')}>
      <FilePicker files={files} loadError={filesError} lists={draft.files} onChange={setList} errors={errors} />
    </Section>
  );
}
