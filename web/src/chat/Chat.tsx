import { useT } from '../i18n';
import { Coming } from '../ui/Coming';

export function Chat() {
  const t = useT();
  return <Coming icon="chat" title={t.nav.chat} body={t.coming.chat.body} features={t.coming.chat.features} />;
}
