// The administration screens, loaded on first use: most people never need
// them, so they are not part of the app's first download.

import { me } from '../app/session';
import { useT } from '../i18n';
import { useStore } from '../lib/store';
import { Alert } from '../ui/Alert';
import { PageHeader } from '../ui/Page';
import { Audit } from './Audit';
import { Groups } from './Groups';
import { Invitations } from './Invitations';
import { People } from './People';
import { Teams } from '../files/Teams';

export type AdminSection = 'people' | 'invitations' | 'groups' | 'teams' | 'audit';

export function Admin({ section }: { section: AdminSection }) {
  const t = useT();
  const user = useStore(me);
  if (user?.role !== 'admin') {
    return (
      <div class="page">
        <PageHeader title={t.nav.admin} />
        <Alert kind="warning">{t.admin.onlyAdmins}</Alert>
      </div>
    );
  }
  const Section = { people: People, invitations: Invitations, groups: Groups, teams: Teams, audit: Audit }[section];
  return <Section />;
}
