// The office (issue 8), loaded on first use. Administrators see the whole
// office: who is ready to work from home, the equipment, everyone's data
// use and the settings. Everyone sees their own equipment, readiness and
// data ("My office"), asks for equipment, opens the tools they need, and
// runs the connection test. Addresses: /office, /office/mine,
// /office/equipment, /office/requests, /office/tools, /office/usage,
// /office/test, /office/settings.

import './office.css';
import type { ComponentType } from 'preact';
import { NotFound } from '../app/Fallbacks';
import { usePlace } from '../app/router';
import { me } from '../app/session';
import { useOfficeT } from '../i18n/office';
import { useStore } from '../lib/store';
import { Alert } from '../ui/Alert';
import { PageHeader } from '../ui/Page';
import { TabNav } from '../ui/Tabs';
import { ConnectionTest } from './ConnectionTest';
import { Equipment } from './Equipment';
import { MyOffice } from './MyOffice';
import { Overview } from './Overview';
import { useRequests } from './reads';
import { Requests } from './Requests';
import { Settings } from './Settings';
import { Tools } from './Tools';
import { Usage } from './Usage';

const ADMIN_SCREENS: Record<string, ComponentType> = { equipment: Equipment, requests: Requests, tools: Tools, usage: Usage, settings: Settings };

export function Office() {
  const { path } = usePlace();
  const admin = useStore(me)?.role === 'admin';
  const screen = path.replace(/^\/office\/?/, '');
  if (screen === '') return admin ? <Overview /> : <MyOffice />;
  if (screen === 'mine') return <MyOffice />;
  if (screen === 'test') return <ConnectionTest />;
  const Screen = ADMIN_SCREENS[screen];
  if (!Screen) return <NotFound />;
  return admin ? <Screen /> : <OnlyAdmins />;
}

export function OfficeNav() {
  const t = useOfficeT();
  const admin = useStore(me)?.role === 'admin';
  const tabs = t.office.tabs;
  if (admin) return <AdminNav />;
  return (
    <TabNav
      label={t.nav.office}
      items={[
        { href: '/office', label: tabs.mine, icon: 'office' },
        { href: '/office/test', label: tabs.test, icon: 'gauge' },
      ]}
    />
  );
}

/** The administrators' tabs, with the count of open requests. Eight of
 * them: they go without icons to fit a desktop's width, and wrap rather
 * than hide past its edge (a phone scrolls them, as every tab bar). */
function AdminNav() {
  const t = useOfficeT();
  const requests = useRequests();
  const tabs = t.office.tabs;
  const open = (requests.data ?? []).filter((r) => r.state === 'open').length;
  return (
    <div class="office-nav-admin">
      <TabNav
        label={t.nav.office}
        items={[
          { href: '/office', label: tabs.overview, icon: 'office' },
          { href: '/office/equipment', label: tabs.equipment, icon: 'devices' },
          { href: '/office/requests', label: tabs.requests(open), icon: 'list' },
          { href: '/office/tools', label: tabs.tools, icon: 'grid' },
          { href: '/office/usage', label: tabs.usage, icon: 'chart' },
          { href: '/office/settings', label: tabs.settings, icon: 'sliders' },
          { href: '/office/mine', label: tabs.mine, icon: 'user' },
          { href: '/office/test', label: tabs.test, icon: 'gauge' },
        ]}
      />
    </div>
  );
}

function OnlyAdmins() {
  const t = useOfficeT();
  return (
    <div class="page">
      <PageHeader title={t.office.title} />
      <OfficeNav />
      <Alert kind="warning">{t.office.onlyAdmins}</Alert>
    </div>
  );
}
