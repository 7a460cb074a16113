// The office's words beside the app's. Only web/src/office imports this
// file, so both office catalogues travel in the office's chunk.

import { locale, useT, type LocaleCode, type Messages } from './index';
import { officeEn, type OfficeMessages } from './office.en';
import { officeFr } from './office.fr';

export type OfficeT = Messages & { office: OfficeMessages };

const catalogues: Record<LocaleCode, OfficeMessages> = { en: officeEn, fr: officeFr };
const merged = new Map<LocaleCode, OfficeT>();

/** The app's messages and the office's, in the current language. */
export function useOfficeT(): OfficeT {
  const t = useT();
  const code = locale.get();
  let found = merged.get(code);
  if (!found) {
    found = { ...t, office: catalogues[code] };
    merged.set(code, found);
  }
  return found;
}

/** The office's messages in the current language, outside components. */
export function officeMessages(): OfficeMessages {
  return catalogues[locale.get()];
}
