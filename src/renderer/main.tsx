// The renderer's entry: pick the transport, bind the store to it, apply the saved theme, render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getClient } from './api/client.js';
import { takeServeToken } from './api/serve-token.js';
import { EmptyState } from './components/EmptyState.js';
import { App } from './app/App.js';
import { applySavedTheme } from './app/theme.js';
import { connectStudio } from './store/studio.js';
import './app/theme.css';

applySavedTheme();
const root = createRoot(document.getElementById('root')!);

// In a browser, the Api needs the token of `autoresearch serve`'s printed URL (kept in this tab only). Without one,
// the WebSocket would be refused and the page would say "Reconnecting…" forever: say what to do instead.
if (!window.api && takeServeToken(window) === null) {
  root.render(
    <StrictMode>
      <EmptyState title="This page needs the URL that autoresearch serve printed" testId="token-needed">
        Open the exact URL from the terminal (it ends with ?token=…). The token is kept only in the browser tab that opened it, never in a cookie, so a new tab or window needs the printed URL again.
      </EmptyState>
    </StrictMode>,
  );
} else {
  connectStudio(getClient());
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
