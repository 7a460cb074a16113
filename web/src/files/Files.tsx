import { useT } from '../i18n';
import { Coming } from '../ui/Coming';

export function Files() {
  const t = useT();
  return <Coming icon="files" title={t.nav.files} body={t.coming.files.body} features={t.coming.files.features} />;
}
