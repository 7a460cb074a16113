import { useT } from '../i18n';
import { Coming } from '../ui/Coming';

export function Docs() {
  const t = useT();
  return <Coming icon="docs" title={t.nav.docs} body={t.coming.docs.body} features={t.coming.docs.features} />;
}
