import type { ReactNode } from 'react';

/** What a screen shows when there is nothing yet, and what to do next. */
export function EmptyState(props: { readonly title: string; readonly children?: ReactNode; readonly actions?: ReactNode; readonly testId?: string }) {
  return (
    <div className="empty-state" data-testid={props.testId ?? 'empty-state'}>
      <h2>{props.title}</h2>
      {props.children ? <div>{props.children}</div> : null}
      {props.actions ? <div className="actions">{props.actions}</div> : null}
    </div>
  );
}
