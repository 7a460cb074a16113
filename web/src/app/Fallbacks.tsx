// Pages for when there is nothing else to show: an unknown address, a
// server out of reach, a bug. Never a blank page.

import { Component, type ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { messages, useT } from '../i18n';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Icon, Logo } from '../ui/icons';
import { PageHeader } from '../ui/Page';
import { boot } from './session';

export function NotFound() {
  const t = useT();
  return (
    <div class="page">
      <PageHeader title={t.notFound.title} intro={t.notFound.body} />
      <a href="/" class="btn btn-primary">
        {t.notFound.home}
      </a>
    </div>
  );
}

/** Starting without a server: the shell came from the service worker's
 * cache, the person's data cannot. It says so, and tries again by itself. */
export function Unreachable() {
  const t = useT();
  useEffect(() => {
    document.title = `${t.offline.title} · ${t.app.name}`;
  }, [t]);
  useEffect(() => {
    const again = () => void boot();
    addEventListener('online', again);
    return () => removeEventListener('online', again);
  }, []);
  return (
    <div class="auth-page">
      <main id="main" class="auth-card card offline-card" data-offline="true">
        <Logo class="logo-large" />
        <div class="offline-icon">
          <Icon name="offline" />
        </div>
        <h1>{t.offline.title}</h1>
        <p>{t.offline.body}</p>
        <Button kind="primary" icon="refresh" onClick={() => void boot()}>
          {t.common.retry}
        </Button>
      </main>
    </div>
  );
}

export function Splash() {
  return (
    <div class="splash" aria-busy="true">
      <Logo class="logo-large" />
    </div>
  );
}

/** Catches a rendering bug in one screen and offers a way out. */
export class ErrorBoundary extends Component<{ children: ComponentChildren; resetKey: string }, { failed: boolean }> {
  override state = { failed: false };

  static override getDerivedStateFromError() {
    return { failed: true };
  }

  override componentDidUpdate(previous: { resetKey: string }) {
    if (previous.resetKey !== this.props.resetKey && this.state.failed) this.setState({ failed: false });
  }

  override componentDidCatch(error: unknown) {
    console.error(error);
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    const t = messages();
    return (
      <div class="page">
        <Alert kind="error">{t.errors.screen}</Alert>
        <Button icon="refresh" onClick={() => location.reload()}>
          {t.common.reload}
        </Button>
      </div>
    );
  }
}
