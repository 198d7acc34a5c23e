export function Spinner(props: { readonly label?: string }) {
  return <span className="spinner" role="status" aria-label={props.label ?? 'Loading'} />;
}
