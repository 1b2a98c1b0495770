import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { adoptTokenFromAddressBar } from './api/session';
import { App } from './app/App';
import { registerBuiltInViews } from './app/views';
import { initTheme } from './lib/theme';
import './styles.css';

// In a browser on the web host: the token moves from the link's fragment to this tab's storage first.
if (!window.workbench) adoptTokenFromAddressBar();
initTheme();
registerBuiltInViews();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
