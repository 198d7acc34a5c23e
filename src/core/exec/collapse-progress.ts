// Output as a terminal would have shown it: a progress line rewritten with \r a thousand times is one line.

/** Of each \n-line keeps only its last non-empty \r-version. */
export function collapseProgress(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (!line.includes('\r')) return line;
      const versions = line.split('\r');
      for (let i = versions.length - 1; i >= 0; i--) if (versions[i] !== '') return versions[i]!;
      return '';
    })
    .join('\n');
}

/** Decodes bytes cut from the middle of a stream: a partial UTF-8 character at the start is dropped. */
export function decodeCutUtf8(bytes: Buffer): string {
  let start = 0;
  // Continuation bytes are 10xxxxxx; at most 3 of them precede the next character.
  while (start < Math.min(3, bytes.length) && (bytes[start]! & 0xc0) === 0x80) start++;
  return bytes.subarray(start).toString('utf8');
}
