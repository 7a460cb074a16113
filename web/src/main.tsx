import { render } from 'preact';
import './styles/app.css';
import { App } from './app/App';
import { registerServiceWorker } from './app/pwa';
import { startRouter } from './app/router';
import { boot } from './app/session';

startRouter();
registerServiceWorker();
render(<App />, document.getElementById('app')!);
void boot();
