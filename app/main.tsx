import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/app';
import { AppServices } from './peer';
import { IdbKeyValueStore } from './ui/data/idb-store';
import { ServicesContext } from './ui/use-app';
import './ui/styles.css';

const services = new AppServices({ openStore: (name) => new IdbKeyValueStore(name) });
// A handle for end-to-end tests and for people debugging from the console.
(window as unknown as { __softphone: AppServices }).__softphone = services;
void services.start();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <ServicesContext.Provider value={services}>
      <App />
    </ServicesContext.Provider>
  </StrictMode>,
);
