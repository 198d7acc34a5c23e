import type { ComponentProps, ReactNode } from 'react';

export interface ButtonProps extends ComponentProps<'button'> {
  readonly variant?: 'default' | 'primary' | 'danger' | 'ghost';
  readonly size?: 'normal' | 'small';
  /** Shown as the tooltip while disabled: why it cannot be used now. */
  readonly disabledReason?: string | null;
  readonly children?: ReactNode;
}

export function Button({ variant = 'default', size = 'normal', disabledReason, className, title, disabled, ...rest }: ButtonProps) {
  const classes = ['btn', variant !== 'default' ? variant : '', size === 'small' ? 'small' : '', className ?? ''].filter(Boolean).join(' ');
  const isDisabled = Boolean(disabled || disabledReason);
  return <button type="button" className={classes} disabled={isDisabled} title={(isDisabled && disabledReason) || title} {...rest} />;
}
