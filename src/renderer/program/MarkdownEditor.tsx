// CodeMirror 6 with markdown, following the app's theme. The document is owned here; the parent hears
// about changes and may replace the text (load, revert) through `value`.
import { useEffect, useRef } from 'react';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { markdown } from '@codemirror/lang-markdown';
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorState } from '@codemirror/state';
import { oneDark } from '@codemirror/theme-one-dark';
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers, placeholder } from '@codemirror/view';
import type { Theme } from '../app/theme.js';

export interface MarkdownEditorProps {
  readonly value: string;
  readonly onChange: (text: string) => void;
  readonly onSave: () => void;
  readonly theme: Theme;
}

const themeFor = (t: Theme) => (t === 'dark' ? oneDark : syntaxHighlighting(defaultHighlightStyle, { fallback: true }));

const baseTheme = EditorView.theme({
  '&': { height: '100%', fontSize: '12.5px' },
  '.cm-scroller': { fontFamily: 'var(--font-mono)', lineHeight: '1.55' },
  '.cm-content': { padding: '10px 0' },
  '&.cm-focused': { outline: 'none' },
});

export function MarkdownEditor(props: MarkdownEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const themeSlot = useRef(new Compartment());
  // Callbacks change every render; the editor reads the latest through refs.
  const onChange = useRef(props.onChange);
  const onSave = useRef(props.onSave);
  onChange.current = props.onChange;
  onSave.current = props.onSave;

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: props.value,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          highlightActiveLine(),
          drawSelection(),
          history(),
          EditorView.lineWrapping,
          markdown(),
          placeholder('# What the agent should do\n\nDescribe the goal, what to try, and what to avoid.'),
          keymap.of([{ key: 'Mod-s', preventDefault: true, run: () => (onSave.current(), true) }, ...defaultKeymap, ...historyKeymap, indentWithTab]),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChange.current(u.state.doc.toString());
          }),
          baseTheme,
          themeSlot.current.of(themeFor(props.theme)),
          EditorView.contentAttributes.of({ 'aria-label': 'program.md', 'data-testid': 'program-editor-content' }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is created once; value and theme changes are applied below.
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== props.value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: props.value } });
    }
  }, [props.value]);

  useEffect(() => {
    view.current?.dispatch({ effects: themeSlot.current.reconfigure(themeFor(props.theme)) });
  }, [props.theme]);

  return <div className="md-editor" ref={host} data-testid="program-editor" />;
}
