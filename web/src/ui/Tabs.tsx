import { usePlace } from '../app/router';
import { Icon, type IconName } from './icons';

/** The sub-pages of an area (account settings, administration) as tabs
 * that are plain links: they work with the keyboard and the address bar. */
export function TabNav({ label, items }: { label: string; items: { href: string; label: string; icon: IconName }[] }) {
  const { path } = usePlace();
  return (
    <nav class="tabs" aria-label={label}>
      {items.map((item) => (
        <a key={item.href} href={item.href} class="tab" aria-current={path === item.href ? 'page' : undefined}>
          <Icon name={item.icon} />
          {item.label}
        </a>
      ))}
    </nav>
  );
}
