// The renderer's entry: pick the transport, bind the store to it, apply the saved theme, render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getClient } from './api/client.js';
import { App } from './app/App.js';
import { applySavedTheme } from './app/theme.js';
import { connectStudio } from './store/studio.js';
import './app/theme.css';

applySavedTheme();
connectStudio(getClient());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
