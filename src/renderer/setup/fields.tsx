// Form pieces for the setup screen. Every control is addressed by its config path: data-testid
// "field-<path>" on the control and "error-<path>" on its message, e.g. field-metric.name.
import { useId, type ReactNode } from 'react';
import type { FieldError } from '../../shared/config.js';
import { errorsAt } from './draft.js';

/** What every control has: its config path, a label, the form's errors (its own are picked out), a hint. */
interface BaseFieldProps {
  readonly path: string;
  readonly label: string;
  readonly hint?: ReactNode;
  readonly errors: readonly FieldError[];
}

/** A control that edits one value of type T. */
interface ValueFieldProps<T> extends BaseFieldProps {
  readonly value: T;
  readonly onChange: (v: T) => void;
}

export interface FieldProps extends BaseFieldProps {
  readonly children: (id: string, invalid: boolean) => ReactNode;
  readonly wide?: boolean;
}

export function Field({ path, label, hint, errors, children, wide }: FieldProps) {
  const id = useId();
  const mine = errorsAt(errors, path);
  return (
    <div className={`field${wide ? ' wide' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <div className="control">
        {children(id, mine.length > 0)}
        {mine.length > 0 ? (
          <div className="field-error" role="alert" data-testid={`error-${path}`}>
            {mine.map((e) => e.message).join('; ')}
          </div>
        ) : hint ? (
          <div className="field-hint">{hint}</div>
        ) : null}
      </div>
    </div>
  );
}

export function TextField(props: ValueFieldProps<string> & {
  readonly placeholder?: string;
  readonly mono?: boolean;
  readonly type?: 'text' | 'password' | 'url';
  readonly list?: string;
  readonly wide?: boolean;
}) {
  return (
    <Field path={props.path} label={props.label} hint={props.hint} errors={props.errors} wide={props.wide}>
      {(id, invalid) => (
        <input
          id={id}
          type={props.type ?? 'text'}
          className={props.mono ? 'mono' : undefined}
          value={props.value}
          placeholder={props.placeholder}
          list={props.list}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={invalid}
          onChange={(e) => props.onChange(e.target.value)}
          data-testid={`field-${props.path}`}
        />
      )}
    </Field>
  );
}

export function NumberField(props: ValueFieldProps<string> & {
  readonly placeholder?: string;
  readonly unit?: string;
}) {
  return (
    <Field path={props.path} label={props.label} hint={props.hint} errors={props.errors}>
      {(id, invalid) => (
        <span className="with-unit">
          <input
            id={id}
            inputMode="decimal"
            className="num"
            value={props.value}
            placeholder={props.placeholder}
            aria-invalid={invalid}
            onChange={(e) => props.onChange(e.target.value)}
            data-testid={`field-${props.path}`}
          />
          {props.unit ? <span className="unit">{props.unit}</span> : null}
        </span>
      )}
    </Field>
  );
}

export function SelectField<T extends string>(props: ValueFieldProps<T> & { readonly options: readonly { readonly value: T; readonly label: string }[] }) {
  return (
    <Field path={props.path} label={props.label} hint={props.hint} errors={props.errors}>
      {(id, invalid) => (
        <select id={id} value={props.value} aria-invalid={invalid} onChange={(e) => props.onChange(e.target.value as T)} data-testid={`field-${props.path}`}>
          {props.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function RadioField<T extends string>(props: ValueFieldProps<T> & { readonly options: readonly { readonly value: T; readonly label: string }[] }) {
  const name = useId();
  return (
    <Field path={props.path} label={props.label} hint={props.hint} errors={props.errors}>
      {() => (
        <span className="radios" role="radiogroup" data-testid={`field-${props.path}`}>
          {props.options.map((o) => (
            <label key={o.value} className="radio">
              <input type="radio" name={name} value={o.value} checked={props.value === o.value} onChange={() => props.onChange(o.value)} data-testid={`field-${props.path}-${o.value}`} />
              {o.label}
            </label>
          ))}
        </span>
      )}
    </Field>
  );
}

export function TextAreaField(props: ValueFieldProps<string> & {
  readonly placeholder?: string;
  readonly rows?: number;
}) {
  return (
    <Field path={props.path} label={props.label} hint={props.hint} errors={props.errors}>
      {(id, invalid) => (
        <textarea
          id={id}
          rows={props.rows ?? 3}
          value={props.value}
          placeholder={props.placeholder}
          spellCheck={false}
          aria-invalid={invalid}
          onChange={(e) => props.onChange(e.target.value)}
          data-testid={`field-${props.path}`}
        />
      )}
    </Field>
  );
}

export function Section(props: { readonly id: string; readonly title: string; readonly description?: ReactNode; readonly children: ReactNode; readonly errorCount?: number }) {
  return (
    <section className="setup-section" id={`setup-${props.id}`} data-testid={`section-${props.id}`}>
      <header>
        <h2>
          {props.title}
          {props.errorCount ? <span className="badge bad" style={{ marginLeft: 8 }}>{props.errorCount}</span> : null}
        </h2>
        {props.description ? <p className="muted">{props.description}</p> : null}
      </header>
      <div className="fields">{props.children}</div>
    </section>
  );
}
