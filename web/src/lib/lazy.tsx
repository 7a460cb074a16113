import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useT } from '../i18n';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Loading } from '../ui/Page';

/** A component loaded on first use, in its own file (the admin screens). */
export function lazy<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<ComponentType<P>> | null = null;
  return function Lazy(props: P) {
    const t = useT();
    const [component, setComponent] = useState<ComponentType<P> | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (loaded) return;
      pending ??= load();
      pending.then(
        (found) => {
          loaded = found;
          setComponent(() => found);
        },
        () => {
          pending = null;
          setFailed(true);
        },
      );
    }, []);
    if (component) {
      const Found = component;
      return <Found {...props} />;
    }
    if (failed) {
      // The file could not be fetched: offline, or bureau was updated and
      // this page still names the old files.
      return (
        <div class="load-error">
          <Alert kind="error">{t.errors.chunk}</Alert>
          <Button icon="refresh" onClick={() => location.reload()}>
            {t.common.reload}
          </Button>
        </div>
      );
    }
    return <Loading />;
  };
}
