import type { User } from '../api/client';
import { useGroups, useUsers } from '../api/reads';
import { formatNumber, useT } from '../i18n';
import { useStore } from '../lib/store';
import { Avatar } from '../ui/Avatar';
import { Icon, type IconName } from '../ui/icons';
import { PageHeader } from '../ui/Page';
import { me } from './session';

export function Home() {
  const t = useT();
  const user = useStore(me)!;
  const hour = new Date().getHours();
  const greeting = hour < 5 || hour >= 18 ? t.home.evening : hour < 12 ? t.home.morning : t.home.afternoon;
  return (
    <div class="page">
      <PageHeader title={greeting(firstName(user.display_name))} intro={t.home.intro} />
      <div class="home-grid">
        {user.role === 'admin' && <GettingStarted user={user} />}
        {user.role !== 'guest' && <Team />}
        <YourAccount />
        <Sections />
      </div>
    </div>
  );
}

function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? name;
}

function GettingStarted({ user }: { user: User }) {
  const t = useT();
  const users = useUsers();
  const groups = useGroups();
  const steps: { done: boolean; href: string; label: string }[] = [
    { done: user.has_avatar, href: '/settings/profile', label: t.home.steps.picture },
    { done: (users.data?.length ?? 0) > 1, href: '/admin/invitations', label: t.home.steps.invite },
    { done: (groups.data?.length ?? 0) > 0, href: '/admin/groups', label: t.home.steps.groups },
  ];
  const left = steps.filter((s) => !s.done).length;
  return (
    <section class="card home-card home-start" aria-labelledby="start-heading">
      <h2 id="start-heading">{t.home.startTitle}</h2>
      <p class="muted">{left === 0 ? t.home.startDone : t.home.startIntro}</p>
      <ol class="steps">
        {steps.map((step) => (
          <li key={step.href} class={step.done ? 'step-done' : ''}>
            <span class="step-mark" aria-hidden="true">
              {step.done && <Icon name="check" />}
            </span>
            <a href={step.href}>{step.label}</a>
            {step.done && <span class="visually-hidden"> ({t.home.done})</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Team() {
  const t = useT();
  const users = useUsers();
  const active = (users.data ?? []).filter((u) => u.active);
  return (
    <section class="card home-card" aria-labelledby="team-heading">
      <h2 id="team-heading">{t.home.teamTitle}</h2>
      {users.data && (
        <>
          <p class="muted">{t.home.teamCount(active.length, formatNumber(active.length))}</p>
          <ul class="team">
            {active.slice(0, 12).map((u) => (
              <li key={u.id} class="team-member">
                <Avatar user={u} />
                <span>{u.display_name}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Sections() {
  const t = useT();
  const sections: { href: string; icon: IconName; title: string; body: string }[] = [
    { href: '/chat', icon: 'chat', title: t.nav.chat, body: t.home.sections.chat },
    { href: '/meetings', icon: 'meetings', title: t.nav.meetings, body: t.home.sections.meetings },
    { href: '/docs', icon: 'docs', title: t.nav.docs, body: t.home.sections.docs },
    { href: '/files', icon: 'files', title: t.nav.files, body: t.home.sections.files },
    { href: '/office', icon: 'office', title: t.nav.office, body: t.home.sections.office },
  ];
  return (
    <section class="home-sections" aria-labelledby="sections-heading">
      <h2 id="sections-heading">{t.home.sectionsTitle}</h2>
      <ul class="section-grid">
        {sections.map((s) => (
          <li key={s.href}>
            <a href={s.href} class="card section-card">
              <span class="section-top">
                <span class="section-icon">
                  <Icon name={s.icon} />
                </span>
              </span>
              <span class="section-title">{s.title}</span>
              <span class="section-body">{s.body}</span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

function YourAccount() {
  const t = useT();
  const links: { href: string; icon: IconName; label: string }[] = [
    { href: '/settings/profile', icon: 'user', label: t.nav.profile },
    { href: '/settings/password', icon: 'lock', label: t.nav.password },
    { href: '/settings/sessions', icon: 'devices', label: t.nav.sessions },
    { href: '/settings/tokens', icon: 'key', label: t.nav.tokens },
  ];
  return (
    <section class="card home-card" aria-labelledby="account-heading">
      <h2 id="account-heading">{t.nav.account}</h2>
      <ul class="link-list">
        {links.map((link) => (
          <li key={link.href}>
            <a href={link.href}>
              <Icon name={link.icon} />
              <span>{link.label}</span>
              <Icon name="arrowRight" class="link-arrow" />
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
