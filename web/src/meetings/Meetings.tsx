import { useT } from '../i18n';
import { Coming } from '../ui/Coming';

export function Meetings() {
  const t = useT();
  return <Coming icon="meetings" title={t.nav.meetings} body={t.coming.meetings.body} features={t.coming.meetings.features} />;
}
