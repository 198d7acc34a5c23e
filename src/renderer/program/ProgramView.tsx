// program.md: the agent's instructions, edited with a live preview, saved into the project.
import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { useCallback, useEffect, useMemo, useState, type MouseEvent } from 'react';
import { useApi } from '../api/hooks.js';
import { navigate } from '../app/router.js';
import { useTheme } from '../app/theme.js';
import { Button } from '../components/Button.js';
import { EmptyState } from '../components/EmptyState.js';
import { hasMod, MOD } from '../components/KeyboardShortcuts.js';
import { Spinner } from '../components/Spinner.js';
import { toast } from '../components/Toast.js';
import { useStudio } from '../store/studio.js';
import { MarkdownEditor } from './MarkdownEditor.js';
import { mentionedForEditing, notEditable } from './mentions.js';
import './program.css';
import { programReaderText } from '../../shared/proposer-reads.js';

type Layout = 'split' | 'edit' | 'preview';

/** A link in the preview must not navigate the app away: web links open in a new browser window. */
function openLinksOutside(e: MouseEvent<HTMLDivElement>): void {
  const a = (e.target as HTMLElement).closest('a');
  if (!a) return;
  e.preventDefault();
  if (/^https?:/i.test(a.href)) window.open(a.href, '_blank', 'noopener,noreferrer');
}

export function ProgramView() {
  const project = useStudio((s) => s.project);
  if (!project) {
    return (
      <EmptyState title="No project is open" actions={<Button variant="primary" onClick={() => navigate({ view: 'start' })}>Open a project</Button>}>
        program.md lives in your project folder; open one first.
      </EmptyState>
    );
  }
  return <ProgramEditor key={project.dir} />;
}

function ProgramEditor() {
  const api = useApi();
  const theme = useTheme();
  const editableFromConfig = useStudio((s) => s.project?.config?.files.editable ?? null);
  const proposer = useStudio((s) => s.project?.config?.agent.proposer ?? 'mutation');
  const [loaded, setLoaded] = useState<{ text: string; exists: boolean; editable: readonly string[] } | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [savedText, setSavedText] = useState('');
  const [saving, setSaving] = useState(false);
  const [files, setFiles] = useState<readonly string[]>([]);
  const [layout, setLayout] = useState<Layout>('split');
  const [preview, setPreview] = useState('');

  useEffect(() => {
    let live = true;
    api
      .readProgram({})
      .then((r) => {
        if (!live) return;
        setLoaded(r);
        setText(r.text);
        setSavedText(r.text);
      })
      .catch((err: Error) => live && setLoadError(err.message));
    api
      .listFiles({})
      .then((r) => live && setFiles(r.files.filter((f) => f.type === 'file').map((f) => f.path)))
      .catch(() => undefined); // the warning below is a help, not a requirement
    return () => {
      live = false;
    };
  }, [api]);

  const dirty = text !== savedText;

  const save = useCallback(async () => {
    if (saving) return;
    setSaving(true);
    try {
      await api.saveProgram({ text });
      setSavedText(text);
      setLoaded((l) => (l ? { ...l, exists: true } : l));
      toast('info', 'program.md saved', 'program-save');
    } catch (err) {
      toast('error', `program.md not saved: ${(err as Error).message}`, 'program-save');
    } finally {
      setSaving(false);
    }
  }, [api, saving, text]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (hasMod(e) && e.key.toLowerCase() === 's' && !e.defaultPrevented) {
        e.preventDefault();
        void save();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [save]);

  useEffect(() => {
    if (layout === 'edit') return;
    // Debounced: parsing a long document on every keystroke would make typing lag.
    const t = setTimeout(() => setPreview(DOMPurify.sanitize(marked.parse(text, { async: false, gfm: true }))), 120);
    return () => clearTimeout(t);
  }, [text, layout]);

  const editable = editableFromConfig ?? loaded?.editable ?? [];
  const offLimits = useMemo(() => notEditable(mentionedForEditing(text, files), editable), [text, files, editable]);

  if (loadError) {
    return <EmptyState title="Could not read program.md">{loadError}</EmptyState>;
  }
  if (!loaded) {
    return (
      <EmptyState title="Loading program.md…">
        <Spinner />
      </EmptyState>
    );
  }

  return (
    <div className="program" data-testid="program-view">
      <div className="program-head">
        <h1>program.md</h1>
        <span className="faint" data-testid="program-reader">
          {programReaderText(proposer)}
        </span>
        <span className="grow" />
        <div className="seg" role="group" aria-label="Layout">
          {(['edit', 'split', 'preview'] as const).map((l) => (
            <button key={l} type="button" className={layout === l ? 'on' : ''} onClick={() => setLayout(l)} data-testid={`program-layout-${l}`}>
              {l === 'edit' ? 'Editor' : l === 'split' ? 'Split' : 'Preview'}
            </button>
          ))}
        </div>
        <span className="save-state" data-testid="program-state" data-state={dirty ? 'unsaved' : 'saved'}>
          {dirty ? 'Unsaved changes' : loaded.exists ? 'Saved' : 'Not created yet'}
        </span>
        <Button onClick={() => setText(savedText)} disabledReason={dirty ? null : 'Nothing to revert'}>
          Revert
        </Button>
        <Button variant="primary" onClick={() => void save()} disabledReason={saving ? 'Saving…' : null} title={`Save (${MOD}+S)`} data-testid="program-save">
          Save
        </Button>
      </div>
      {!loaded.exists ? (
        <div className="banner info">
          <div className="grow">The project has no program.md yet. Write the agent's instructions here; saving creates the file.</div>
        </div>
      ) : null}
      {offLimits.length > 0 ? (
        <div className="banner" data-testid="program-warning">
          <div className="grow">
            program.md names {offLimits.length === 1 ? 'a file' : 'files'} the agent may not edit:{' '}
            {offLimits.map((f, i) => (
              <span key={f}>
                {i > 0 ? ', ' : ''}
                <code>{f}</code>
              </span>
            ))}
            . Editable: {editable.length ? editable.map((e) => e).join(', ') : 'nothing yet'}. If the instructions ask the agent to change{' '}
            {offLimits.length === 1 ? 'it' : 'them'}, add {offLimits.length === 1 ? 'it' : 'them'} to the editable files in Setup; the harness
            rejects edits anywhere else.
          </div>
          <Button size="small" onClick={() => navigate({ view: 'setup' })}>
            Open Setup
          </Button>
        </div>
      ) : null}
      <div className={`program-body ${layout}`}>
        <div className="program-pane editor-pane" hidden={layout === 'preview'}>
          <MarkdownEditor value={text} onChange={setText} onSave={() => void save()} theme={theme} />
        </div>
        {layout !== 'edit' ? (
          // Sanitised by DOMPurify above; marked's output never reaches the page unfiltered.
          <div className="program-pane preview-pane markdown-body" data-testid="program-preview" onClick={openLinksOutside} dangerouslySetInnerHTML={{ __html: preview }} />
        ) : null}
      </div>
    </div>
  );
}
