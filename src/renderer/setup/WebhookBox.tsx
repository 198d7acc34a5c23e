// Notifications away from the desk: the app's webhook (Slack, Discord, ntfy or any JSON receiver). An app setting,
// not the project's (a project from someone else must not choose where results go), so it is saved at once, not
// with the form. The URL's path is the webhook's secret: the page is only ever told the host.
import { useEffect, useState } from 'react';
import type { WebhookStatus } from '../../shared/api.js';
import { useApi } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { toast } from '../components/Toast.js';

export function WebhookBox() {
  const api = useApi();
  const [status, setStatus] = useState<WebhookStatus | null>(null);
  const [url, setUrl] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.getWebhook({}).then(setStatus, (err: Error) => setError(err.message));
  }, [api]);

  async function act(fn: () => Promise<void>): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="field wide" data-testid="webhook-box">
      <label>Notifications</label>
      <div className="control">
        <div className="row" data-testid="webhook-status" data-set={status?.set ?? false}>
          <span className={status?.set ? '' : 'muted'}>
            <span className="dot" style={{ background: status?.set ? 'var(--good)' : 'var(--neutral)' }} />
            {status?.set ? `Posting to ${status.where}` : 'No webhook: runs notify only on this desktop'}
          </span>
          {status?.set ? (
            <>
              <Button
                size="small"
                data-testid="webhook-test"
                disabledReason={busy ? 'Working…' : null}
                onClick={() =>
                  void act(async () => {
                    const r = await api.testWebhook({});
                    if (r.delivered) toast('info', r.message);
                    else setError(r.message);
                  })
                }
              >
                Send a test
              </Button>
              <Button size="small" data-testid="webhook-off" disabledReason={busy ? 'Working…' : null} onClick={() => void act(async () => setStatus(await api.setWebhook({ url: null })))}>
                Turn off
              </Button>
            </>
          ) : null}
        </div>
        <form
          className="row"
          style={{ marginTop: 6 }}
          onSubmit={(e) => {
            e.preventDefault();
            if (!url.trim()) return;
            void act(async () => {
              setStatus(await api.setWebhook({ url: url.trim() }));
              setUrl('');
              toast('info', 'Webhook saved: new runs post to it');
            });
          }}
        >
          <input
            type="password"
            className="mono grow"
            placeholder={status?.set ? 'Replace: https://…' : 'https://hooks.slack.com/services/… or https://ntfy.sh/your-topic'}
            value={url}
            autoComplete="off"
            onChange={(e) => setUrl(e.target.value)}
            aria-label="Webhook URL"
            data-testid="webhook-input"
          />
          <Button type="submit" data-testid="webhook-set" disabledReason={busy ? 'Working…' : url.trim() ? null : 'Paste a webhook URL first'}>
            {status?.set ? 'Replace' : 'Set webhook'}
          </Button>
        </form>
        {error ? (
          <div className="field-error" data-testid="webhook-error">
            {error}
          </div>
        ) : null}
        <div className="field-hint">
          A JSON message on a new best, 3 failures in a row, the run&apos;s stop and once a day. This app&apos;s setting, for every project; saved at once.
        </div>
      </div>
    </div>
  );
}
