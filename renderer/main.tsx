import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { bridgeTransport, takeLaunchToken } from './api/bridge-transport';
import { createClient, setClient } from './api/client';
import { electronTransport } from './api/electron-transport';
import { App } from './app/App';
import { setupI18n } from './i18n/i18n';
import './styles.css';

async function start(): Promise<void> {
  const i18n = await setupI18n();
  const root = createRoot(document.getElementById('root') as HTMLElement);
  // Inside Electron the preload provides the API; in a browser the loopback bridge does.
  const api = window.trustline;
  const token = api ? null : takeLaunchToken();
  if (!api && !token) {
    root.render(<p className="fatal">{i18n.t('app.noToken')}</p>);
    return;
  }
  setClient(createClient(api ? electronTransport(api) : bridgeTransport(token ?? '')));
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

void start();
