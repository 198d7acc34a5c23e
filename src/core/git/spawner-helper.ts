// The git spawner's helper (spawner.ts): a small Node program that runs the commands its parent sends it.
//
// It travels as source text and runs with `node -e`, so there is no file to find or ship: the same text works
// from the sources (tsx, vitest), the CLI bundle, the bench bundle and the packaged app (where the file would
// sit inside app.asar), under plain Node and under Electron with ELECTRON_RUN_AS_NODE=1.
//
// Protocol, one JSON object a line. In (stdin): {id, file, args, cwd, env, encoding, maxBuffer}. Out
// (stdout): first {ready: pid}; then per command zero or more {id, out} / {id, err} pieces of a long output
// and a last {id, done: true, out, err, error}, where `out` is base64 when encoding is 'buffer' (pieces keep
// each line well under V8's longest string, whatever maxBuffer allows) and `error` is execFile's error
// ({message, code, signal, killed}) or null; `thrown: true` marks an error execFile threw instead of reporting.
//
// Its title is HELPER_MARK, so ps shows a name instead of this text. It exits when its stdin ends (the app is gone). Ctrl-C in a terminal reaches the git processes themselves,
// as it did when the app started them; the helper ignores it and keeps serving the app's clean-up.
export const HELPER_MARK = 'autoresearch-git-spawner';

export const HELPER_SOURCE = String.raw`'use strict';
const { execFile } = require('node:child_process');
process.title = 'autoresearch-git-spawner';
const PIECE = 4 * 1024 * 1024;
const send = (o) => process.stdout.write(JSON.stringify(o) + '\n');
process.on('SIGINT', () => {});
process.stdout.on('error', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.setEncoding('utf8');
let pending = '';
process.stdin.on('data', (chunk) => {
  pending += chunk;
  for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    if (line) run(JSON.parse(line));
  }
});
function pieces(value, buffer) {
  const out = [];
  for (let i = 0; i < value.length; i += PIECE) {
    const p = value.slice(i, i + PIECE);
    out.push(buffer ? p.toString('base64') : p);
  }
  return out.length ? out : [''];
}
function run(r) {
  const buffer = r.encoding === 'buffer';
  try {
    execFile(r.file, r.args, { cwd: r.cwd, env: r.env, encoding: r.encoding, maxBuffer: r.maxBuffer }, (err, stdout, stderr) => {
      const out = pieces(stdout, buffer);
      const errs = pieces(buffer ? String(stderr) : stderr, false);
      for (const p of out.slice(0, -1)) send({ id: r.id, out: p });
      for (const p of errs.slice(0, -1)) send({ id: r.id, err: p });
      send({ id: r.id, done: true, out: out[out.length - 1], err: errs[errs.length - 1], error: err ? { message: err.message, code: err.code, signal: err.signal, killed: err.killed } : null });
    });
  } catch (err) {
    send({ id: r.id, done: true, out: '', err: '', thrown: true, error: { message: String(err && err.message), code: err && err.code } });
  }
}
send({ ready: process.pid });
`;
