// The Anthropic API key: set or clear it, see whether one is set and where it comes from. The key itself
// is never shown or sent back to the page.
import { useState } from 'react';
import { useApi } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { toast } from '../components/Toast.js';
import { useStudio } from '../store/studio.js';

export function ApiKeyBox(props: { readonly needed: boolean }) {
  const api = useApi();
  const status = useStudio((s) => s.apiKey);
  const host = useStudio((s) => s.app?.host);
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(fn: () => Promise<unknown>, done: string): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await fn();
      setKey('');
      toast('info', done);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const where = status.source === 'env' ? 'from ANTHROPIC_API_KEY' : host === 'serve' ? "in this server's memory" : "in the app's secure store";
  return (
    <div className="field wide">
      <label>Anthropic API key</label>
      <div className="control">
        <div className="row" data-testid="api-key-status" data-set={status.set} data-source={status.source ?? 'none'}>
          {status.set ? (
            <span>
              <span className="dot" style={{ background: 'var(--good)' }} />
              Key is set ({where})
            </span>
          ) : (
            <span className={props.needed ? 'error-text' : 'muted'}>
              <span className="dot" style={{ background: props.needed ? 'var(--bad)' : 'var(--neutral)' }} />
              No key set{props.needed ? ': the Claude proposer needs one' : ''}
            </span>
          )}
          {status.set && status.source === 'store' ? (
            <Button size="small" onClick={() => void run(() => api.clearApiKey({}), 'API key cleared')} disabledReason={busy ? 'Working…' : null} data-testid="api-key-clear">
              Clear
            </Button>
          ) : null}
        </div>
        <form
          className="row"
          style={{ marginTop: 6 }}
          onSubmit={(e) => {
            e.preventDefault();
            if (key.trim()) void run(() => api.setApiKey({ key: key.trim() }), 'API key saved');
          }}
        >
          <input
            type="password"
            className="mono grow"
            placeholder={status.set ? 'Replace the key: sk-ant-…' : 'sk-ant-…'}
            value={key}
            autoComplete="off"
            onChange={(e) => setKey(e.target.value)}
            aria-label="Anthropic API key"
            data-testid="api-key-input"
          />
          <Button type="submit" disabledReason={busy ? 'Working…' : key.trim() ? null : 'Paste a key first'} data-testid="api-key-set">
            {status.set ? 'Replace' : 'Set key'}
          </Button>
        </form>
        {error ? <div className="field-error">{error}</div> : null}
        {status.warning ? <div className="field-hint warn-text">{status.warning}</div> : null}
        {status.source === 'env' ? <div className="field-hint">A key set here takes precedence over ANTHROPIC_API_KEY.</div> : null}
        {status.endpoint?.error ? (
          <div className="field-error" data-testid="api-key-endpoint-error">{status.endpoint.error}</div>
        ) : status.endpoint?.host ? (
          <div className="field-hint" data-testid="api-key-endpoint">
            The key is sent to <b className="mono">{status.endpoint.host}</b> (set by ANTHROPIC_BASE_URL in the app's environment, never by a project).
          </div>
        ) : null}
      </div>
    </div>
  );
}
