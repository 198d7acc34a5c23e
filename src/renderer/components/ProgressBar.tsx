/** value in 0..1; out-of-range values are clamped. */
export function ProgressBar(props: { readonly value: number; readonly label?: string; readonly color?: string }) {
  const v = Number.isFinite(props.value) ? Math.min(1, Math.max(0, props.value)) : 0;
  return (
    <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(v * 100)} aria-label={props.label}>
      <div style={{ width: `${v * 100}%`, background: props.color }} />
    </div>
  );
}
