import { useT } from '../i18n';
import { TabNav } from '../ui/Tabs';

export function AdminNav() {
  const t = useT();
  return (
    <TabNav
      label={t.nav.admin}
      items={[
        { href: '/admin/people', label: t.nav.people, icon: 'people' },
        { href: '/admin/invitations', label: t.nav.invitations, icon: 'invite' },
        { href: '/admin/groups', label: t.nav.groups, icon: 'groups' },
        { href: '/admin/teams', label: t.nav.teams, icon: 'files' },
        { href: '/admin/audit', label: t.nav.audit, icon: 'audit' },
      ]}
    />
  );
}
