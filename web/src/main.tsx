import '@mantine/core/styles.css';
import '@mantine/charts/styles.css';
import './i18n/index.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { MantineProvider } from '@mantine/core';
import { BrowserRouter } from 'react-router';
import { AuthProvider, userManager } from './auth/AuthProvider.tsx';
import { App } from './App.tsx';
import { appBasePath } from './config.ts';
import { theme } from './theme.ts';

const silentRenewal = window.parent !== window && window.location.pathname === `${appBasePath}/callback`;

if (silentRenewal) {
  // Inside the hidden iframe of a silent renewal: hand the result to the app in the parent window.
  void userManager.signinCallback();
} else {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <MantineProvider theme={theme} defaultColorScheme="light">
        <BrowserRouter basename={appBasePath}>
          <AuthProvider>
            <App />
          </AuthProvider>
        </BrowserRouter>
      </MantineProvider>
    </StrictMode>,
  );
}
