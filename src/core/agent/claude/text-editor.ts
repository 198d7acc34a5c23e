// Anthropic's text editor tool (text_editor_20250728, str_replace_based_edit_tool), executed by the app
// inside the slot's restricted Workspace. Every refusal becomes an error tool_result the model can read
// and recover from; nothing the model sends can reach a file the Workspace does not allow.
import { WorkspaceError, type Workspace } from '../workspace.js';

export const TEXT_EDITOR_TOOL_TYPE = 'text_editor_20250728';
export const TEXT_EDITOR_TOOL_NAME = 'str_replace_based_edit_tool';

/** Longest file view returned in one tool result; the model is told to use view_range for the rest. */
export const MAX_VIEW_CHARS = 120_000;
const SNIPPET_CONTEXT_LINES = 4;
const LISTING_MAX_ENTRIES = 400;

export interface ToolOutcome {
  readonly content: string;
  readonly isError: boolean;
}

export interface TextEditor {
  /** Run one tool call; never throws for anything the model did wrong. */
  execute(input: unknown): Promise<ToolOutcome>;
  /** Files whose content now differs from before the first edit, project-relative, sorted. */
  changedFiles(): Promise<string[]>;
  /** Put every file this editor touched back as it was (files it created are removed). */
  undo(): Promise<void>;
}

class ToolInputError extends Error {}

const fail = (content: string): ToolOutcome => ({ content, isError: true });
const ok = (content: string): ToolOutcome => ({ content, isError: false });

function str(input: Record<string, unknown>, key: string, required: true): string;
function str(input: Record<string, unknown>, key: string, required: false): string | undefined;
function str(input: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const v = input[key];
  if (v === undefined || v === null) {
    if (required) throw new ToolInputError(`Missing parameter "${key}"`);
    return undefined;
  }
  if (typeof v !== 'string') throw new ToolInputError(`Parameter "${key}" must be a string`);
  return v;
}

function numbered(lines: readonly string[], firstLine: number): string {
  return lines.map((line, i) => `${String(firstLine + i).padStart(6)}\t${line}`).join('\n');
}

function snippet(text: string, fromLine: number, toLine: number): string {
  const lines = text.split('\n');
  const start = Math.max(0, fromLine - SNIPPET_CONTEXT_LINES);
  const end = Math.min(lines.length, toLine + SNIPPET_CONTEXT_LINES + 1);
  return numbered(lines.slice(start, end), start + 1);
}

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length - 1;

export function createTextEditor(workspace: Workspace): TextEditor {
  /** The content before this proposal's first write; null = the file did not exist. */
  const originals = new Map<string, string | null>();

  async function remember(rel: string): Promise<void> {
    if (originals.has(rel)) return;
    originals.set(rel, (await workspace.exists(rel)) ? await workspace.readFile(rel) : null);
  }

  function writableRel(p: string): string {
    const rel = workspace.relative(p);
    if (!workspace.canWrite(rel)) {
      throw new WorkspaceError(
        workspace.isProtected(rel)
          ? `${rel} is protected: the harness verifies it is unchanged before every experiment. Edit only ${workspace.rules.editable.join(', ')}.`
          : `${rel} may not be written: only ${workspace.rules.editable.join(', ')} may be edited.`,
      );
    }
    return rel;
  }

  async function listing(rel: string): Promise<string> {
    const lines: string[] = [];
    let truncated = false;
    async function walk(dir: string, depth: number): Promise<void> {
      const entries = await workspace.listDir(dir);
      for (const e of entries) {
        if (lines.length >= LISTING_MAX_ENTRIES) {
          truncated = true;
          return;
        }
        const child = dir === '.' ? e.name : `${dir}/${e.name}`;
        if (e.type === 'dir') {
          lines.push(`${child}/`);
          // A listing is a help to the agent: a folder that cannot be read is shown, just not opened.
          if (depth < 2) await walk(child, depth + 1).catch(() => undefined);
        } else if (e.type === 'symlink') {
          lines.push(`${child} (link, not followed)`);
        } else {
          const mark = workspace.canWrite(child) ? ' [editable]' : workspace.canRead(child) ? ' [read-only]' : '';
          lines.push(`${child}${mark}`);
        }
      }
    }
    await walk(rel, 1);
    const where = rel === '.' ? 'the project root' : rel;
    return (
      `Files and folders up to 2 levels deep in ${where} ([editable]: you may change it; [read-only]: you may view it; ` +
      `others cannot be opened):\n${lines.join('\n') || '(empty)'}` +
      (truncated ? `\n… (more than ${LISTING_MAX_ENTRIES} entries; view a subfolder)` : '')
    );
  }

  async function view(input: Record<string, unknown>): Promise<ToolOutcome> {
    const p = str(input, 'path', true);
    const rel = workspace.relative(p);
    // Not a folder (or not there): viewed as a file below, which says what is wrong with it.
    const entries = rel === '.' ? null : await workspace.listDir(rel).catch(() => null);
    if (rel === '.' || entries) {
      if (input['view_range'] !== undefined) return fail(`${rel} is a folder; view_range applies to files only`);
      return ok(await listing(rel));
    }
    const text = await workspace.readFile(rel);
    const lines = text.split('\n');
    let first = 1;
    let last = lines.length;
    const range = input['view_range'];
    if (range !== undefined && range !== null) {
      if (!Array.isArray(range) || range.length !== 2 || !range.every((x) => Number.isInteger(x))) {
        return fail('view_range must be two line numbers [start, end]; end may be -1 for the end of the file');
      }
      const [a, b] = range as [number, number];
      if (a < 1 || a > lines.length) return fail(`view_range start ${a} is outside the file's lines 1-${lines.length}`);
      if (b !== -1 && (b < a || b > lines.length)) return fail(`view_range end ${b} must be -1 or between ${a} and ${lines.length}`);
      first = a;
      last = b === -1 ? lines.length : b;
    }
    let out = numbered(lines.slice(first - 1, last), first);
    if (out.length > MAX_VIEW_CHARS) {
      const kept = out.slice(0, MAX_VIEW_CHARS);
      const shownLast = first + kept.split('\n').length - 2;
      out = `${kept.slice(0, kept.lastIndexOf('\n'))}\n… (truncated after line ${shownLast}; view the rest with view_range [${shownLast + 1}, -1])`;
    }
    return ok(`Here is the result of running \`cat -n\` on ${rel}:\n${out}`);
  }

  async function strReplace(input: Record<string, unknown>): Promise<ToolOutcome> {
    const rel = writableRel(str(input, 'path', true));
    const oldStr = str(input, 'old_str', true);
    const newStr = str(input, 'new_str', false) ?? '';
    if (oldStr === '') return fail('old_str is empty; give the exact text to replace (use insert to add text)');
    if (!(await workspace.exists(rel))) return fail(`${rel} does not exist; use create to make it`);
    const text = await workspace.readFile(rel);
    const first = text.indexOf(oldStr);
    if (first === -1) {
      return fail(`No replacement was made: old_str does not appear verbatim in ${rel}. View the file and copy the exact text, whitespace and indentation included.`);
    }
    const second = text.indexOf(oldStr, first + 1);
    if (second !== -1) {
      const at: number[] = [];
      for (let i = first; i !== -1 && at.length < 10; i = text.indexOf(oldStr, i + 1)) at.push(lineOf(text, i) + 1);
      return fail(`No replacement was made: old_str appears more than once in ${rel} (lines ${at.join(', ')}). Include more surrounding lines to make it unique.`);
    }
    await remember(rel);
    const updated = text.slice(0, first) + newStr + text.slice(first + oldStr.length);
    await workspace.writeFile(rel, updated);
    const from = lineOf(updated, first);
    const to = lineOf(updated, first + newStr.length);
    return ok(`The file ${rel} has been edited. A snippet of the result (cat -n):\n${snippet(updated, from, to)}\nReview the change; edit again if it is not what you meant.`);
  }

  async function create(input: Record<string, unknown>): Promise<ToolOutcome> {
    const rel = writableRel(str(input, 'path', true));
    const fileText = str(input, 'file_text', true);
    const existed = await workspace.exists(rel);
    await remember(rel);
    await workspace.writeFile(rel, fileText);
    return ok(existed ? `The file ${rel} has been overwritten.` : `The file ${rel} has been created.`);
  }

  async function insert(input: Record<string, unknown>): Promise<ToolOutcome> {
    const rel = writableRel(str(input, 'path', true));
    // text_editor_20250728 names it insert_text; older versions used new_str.
    const insertText = str(input, 'insert_text', false) ?? str(input, 'new_str', false);
    if (insertText === undefined) throw new ToolInputError('Missing parameter "insert_text"');
    const lineNo = input['insert_line'];
    if (!Number.isInteger(lineNo)) throw new ToolInputError('insert_line must be a line number (0 inserts at the top)');
    if (!(await workspace.exists(rel))) return fail(`${rel} does not exist; use create to make it`);
    const text = await workspace.readFile(rel);
    const lines = text.split('\n');
    const at = lineNo as number;
    if (at < 0 || at > lines.length) return fail(`insert_line ${at} is outside the file: use 0 to ${lines.length}`);
    await remember(rel);
    const added = insertText.split('\n');
    const updated = [...lines.slice(0, at), ...added, ...lines.slice(at)].join('\n');
    await workspace.writeFile(rel, updated);
    return ok(`The file ${rel} has been edited. A snippet of the result (cat -n):\n${snippet(updated, at, at + added.length - 1)}`);
  }

  async function execute(input: unknown): Promise<ToolOutcome> {
    if (!input || typeof input !== 'object' || Array.isArray(input)) return fail('The tool input must be an object with a "command"');
    const args = input as Record<string, unknown>;
    try {
      switch (args['command']) {
        case 'view':
          return await view(args);
        case 'str_replace':
          return await strReplace(args);
        case 'create':
          return await create(args);
        case 'insert':
          return await insert(args);
        case 'undo_edit':
          return fail('undo_edit is not available; use str_replace to put the text back');
        default:
          return fail(`Unknown command ${JSON.stringify(args['command'])}; use view, str_replace, create or insert`);
      }
    } catch (err) {
      if (err instanceof WorkspaceError || err instanceof ToolInputError) return fail(err.message);
      const code = (err as NodeJS.ErrnoException)?.code;
      // File system trouble (a folder where a file was expected, a permission): say what, not where on disk.
      return fail(`The ${String(args['command'])} failed${code ? ` (${code})` : ''}: ${(err as Error)?.message?.replace(workspace.root, '<project>') ?? String(err)}`);
    }
  }

  async function changedFiles(): Promise<string[]> {
    const changed: string[] = [];
    for (const [rel, before] of originals) {
      // Unreadable now counts as changed: the commit's own diff then shows what it is.
      const now = (await workspace.exists(rel)) ? await workspace.readFile(rel).catch(() => null) : null;
      if (now !== before) changed.push(rel);
    }
    return changed.sort();
  }

  async function undo(): Promise<void> {
    for (const [rel, before] of originals) {
      if (before === null) await workspace.removeFile(rel);
      else await workspace.writeFile(rel, before);
    }
    originals.clear();
  }

  return { execute, changedFiles, undo };
}
