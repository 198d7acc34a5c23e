// Text that reaches the user's terminal may come from a trainer's output or an agent's description: an
// escape sequence in it could write the clipboard (OSC 52), retitle the window, or redraw what the user reads.
// Everything the CLI prints passes here: escape sequences are removed whole, then every other C0 and C1
// control character except newline and tab.

const ESCAPE_SEQUENCES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[P^_X][^\u001b]*(?:\u001b\\)?|\u001b[ -/]*[0-~]?|\u009b[0-?]*[ -/]*[@-~]|\u009d[^\u0007\u009c]*(?:\u0007|\u009c)?/g;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function stripControl(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(ESCAPE_SEQUENCES, '').replace(CONTROL, '');
}
