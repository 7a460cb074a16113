import { useT } from '../i18n';
import { Coming } from '../ui/Coming';

export function Office() {
  const t = useT();
  return <Coming icon="office" title={t.nav.office} body={t.coming.office.body} features={t.coming.office.features} />;
}
