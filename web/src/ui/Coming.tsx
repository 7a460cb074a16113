import { useT } from '../i18n';
import { Icon, type IconName } from './icons';
import { PageHeader } from './Page';

/** A section of the office that is not built yet, said plainly. */
export function Coming({ icon, title, body, features }: { icon: IconName; title: string; body: string; features: string[] }) {
  const t = useT();
  return (
    <div class="page">
      <PageHeader title={title} />
      <section class="coming card">
        <div class="coming-icon">
          <Icon name={icon} />
        </div>
        <p class="badge badge-accent">{t.coming.badge}</p>
        <h2>{t.coming.heading}</h2>
        <p>{body}</p>
        <ul class="coming-list">
          {features.map((feature) => (
            <li key={feature}>
              <Icon name="check" />
              {feature}
            </li>
          ))}
        </ul>
        <p class="muted">{t.coming.note}</p>
      </section>
    </div>
  );
}
