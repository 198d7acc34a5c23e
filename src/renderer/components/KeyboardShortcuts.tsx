import { Button } from './Button.js';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
/** The platform's modifier as a user reads it. */
export const MOD = isMac ? '⌘' : 'Ctrl';

export const SHORTCUTS: readonly { readonly keys: string; readonly what: string }[] = [
  { keys: `${MOD}+1 … ${MOD}+6`, what: 'Start, Setup, program.md, Run, History, Reports' },
  { keys: `${MOD}+S`, what: 'Save (setup, program.md)' },
  { keys: `${MOD}+Enter`, what: 'Start a run' },
  { keys: '?', what: 'Show this help' },
  { keys: 'Esc', what: 'Close a dialog' },
];

/** True when a key event is the platform's Ctrl/Cmd chord. */
export function hasMod(e: { ctrlKey: boolean; metaKey: boolean }): boolean {
  return isMac ? e.metaKey : e.ctrlKey;
}

export function KeyboardShortcutHelp(props: { readonly onClose: () => void }) {
  return (
    <div className="modal-backdrop" onClick={props.onClose} data-testid="shortcuts-help">
      <div className="modal" role="dialog" aria-label="Keyboard shortcuts" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <table className="shortcuts">
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.keys}>
                <td>
                  <kbd>{s.keys}</kbd>
                </td>
                <td>{s.what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="actions">
          <Button onClick={props.onClose}>Close</Button>
        </div>
      </div>
    </div>
  );
}
