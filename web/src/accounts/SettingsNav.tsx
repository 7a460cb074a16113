import { useT } from '../i18n';
import { TabNav } from '../ui/Tabs';

export function SettingsNav() {
  const t = useT();
  return (
    <TabNav
      label={t.nav.account}
      items={[
        { href: '/settings/profile', label: t.nav.profile, icon: 'user' },
        { href: '/settings/password', label: t.nav.password, icon: 'lock' },
        { href: '/settings/sessions', label: t.nav.sessions, icon: 'devices' },
        { href: '/settings/tokens', label: t.nav.tokens, icon: 'key' },
      ]}
    />
  );
}
