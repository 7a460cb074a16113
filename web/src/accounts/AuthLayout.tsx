import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { LANGUAGES, locale, setLocale, useT } from '../i18n';
import { useStore } from '../lib/store';
import { Logo } from '../ui/icons';
import { ToastHost } from '../ui/Toast';

/** The frame of the pages one sees before logging in: login, first-admin
 * setup, invitation. The language can be chosen right there. */
export function AuthLayout({ title, children, wide }: { title: string; children: ComponentChildren; wide?: boolean }) {
  const t = useT();
  useEffect(() => {
    document.title = `${title} · ${t.app.name}`;
  }, [title, t]);
  return (
    <div class="auth-page">
      <header class="auth-top">
        <span class="brand">
          <Logo />
          <span>{t.app.name}</span>
        </span>
        <LanguageSwitch />
      </header>
      <main id="main" class={`auth-card card ${wide ? 'auth-wide' : ''}`}>
        <h1>{title}</h1>
        {children}
      </main>
      <footer class="auth-foot">{t.app.tagline}</footer>
      <ToastHost />
    </div>
  );
}

export function LanguageSwitch() {
  const t = useT();
  const current = useStore(locale);
  return (
    <div class="language-switch" role="group" aria-label={t.profile.language}>
      {LANGUAGES.map((language) => (
        <button
          key={language.value}
          type="button"
          lang={language.value}
          aria-pressed={current === language.value ? 'true' : 'false'}
          onClick={() => setLocale(language.value)}
        >
          {language.label}
        </button>
      ))}
    </div>
  );
}
