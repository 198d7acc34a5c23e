// A change as every place states it (src/shared/wording.ts): the metric's own signed change, then "better"
// or "worse" in colour. Its text reads exactly like the CLI's and the reports'.
import type { JSX } from 'react';
import { formatChangeAmount, GLOSSARY, type Change } from '../../shared/wording.js';

const VERDICT_CLASS = { better: 'verdict-better', worse: 'verdict-worse', 'no change': 'verdict-same' } as const;

export function ChangeText(props: { readonly change: Change | null; readonly title?: string; readonly testId?: string }): JSX.Element {
  const c = props.change;
  if (!c) return <span className="faint" data-testid={props.testId}>—</span>;
  return (
    <span className="change" title={props.title ?? GLOSSARY.change} data-testid={props.testId} data-verdict={c.verdict}>
      <span className="mono">{formatChangeAmount(c)}</span> <span className={VERDICT_CLASS[c.verdict]}>{c.verdict}</span>
    </span>
  );
}
