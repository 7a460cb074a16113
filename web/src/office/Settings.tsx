// The office settings (administrators): whether the data meter counts,
// the data-plan thresholds past
// which meetings save data, the groups that need a phone line, the unit
// prices of the shopping list, and the private networks the tools'
// reachability check may visit.

import { useState } from 'preact/hooks';
import { api, type Group, type Schemas } from '../api/client';
import { useGroups } from '../api/reads';
import { officeMessages, useOfficeT } from '../i18n/office';
import { fieldError, useAction } from '../ui/action';
import { ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { TextField } from '../ui/Field';
import { Loaded, PageHeader } from '../ui/Page';
import { toast } from '../ui/Toast';
import { AreaField } from './fields';
import { moneyInput, parseMoney, parseWhole } from './format';
import { OfficeNav } from './Office';
import { refreshOffice, useSettings, word } from './reads';

type SettingsJson = Schemas['SettingsJson'];

export function Settings() {
  const t = useOfficeT();
  const settings = useSettings();
  const groups = useGroups();
  return (
    <div class="page">
      <PageHeader title={t.office.tabs.settings} intro={t.office.settings.intro} />
      <OfficeNav />
      <Loaded resource={settings}>{(data) => <SettingsForm key={JSON.stringify(data)} settings={data} groups={groups.data ?? []} />}</Loaded>
    </div>
  );
}

function SettingsForm({ settings, groups }: { settings: SettingsJson; groups: readonly Group[] }) {
  const t = useOfficeT();
  const s = t.office.settings;
  const [metering, setMetering] = useState(settings.metering ?? true);
  const [saver, setSaver] = useState(String(settings.saver_at_pct));
  const [audio, setAudio] = useState(String(settings.audio_only_at_pct));
  const [phoneGroups, setPhoneGroups] = useState<number[]>([...settings.phone_groups]);
  const [networks, setNetworks] = useState((settings.allowed_networks ?? []).join('\n'));
  const [prices, setPrices] = useState<Record<string, string>>(() => Object.fromEntries(Object.entries(settings.prices).map(([k, v]) => [k, moneyInput(v)])));
  // In the order of the shopping list's reasoning: the computer first.
  const kinds = Object.keys(prices).sort((a, b) => rank(a) - rank(b));
  const action = useAction({ fields: s.fields });

  const submit = async (event: Event) => {
    event.preventDefault();
    const saverPct = parseWhole(saver);
    const audioPct = parseWhole(audio);
    for (const [field, value] of [['saver_at_pct', saverPct], ['audio_only_at_pct', audioPct]] as const) {
      if (value === null || Number.isNaN(value) || value < 1 || value > 100) {
        action.setProblem(() => ({ message: officeMessages().settings.fields.saver_at_pct, field }));
        return;
      }
    }
    const cents: Record<string, number> = {};
    for (const [kind, text] of Object.entries(prices)) {
      const value = parseMoney(text);
      if (value === null || Number.isNaN(value)) {
        action.setProblem(() => ({ message: officeMessages().equipment.notAnAmount, field: `price-${kind}` }));
        return;
      }
      cents[kind] = value;
    }
    const saved = await action.run(() =>
      api('put', '/office/settings', {
        body: {
          metering,
          saver_at_pct: saverPct!,
          audio_only_at_pct: audioPct!,
          phone_groups: phoneGroups,
          prices: cents,
          allowed_networks: networks
            .split('\n')
            .map((line) => line.trim())
            .filter(Boolean),
        },
      }),
    );
    if (!saved) return;
    refreshOffice();
    toast(s.saved);
  };

  const priceError = (kind: string) => fieldError(action.problem, `price-${kind}`);
  const toggle = (id: number) => setPhoneGroups(phoneGroups.includes(id) ? phoneGroups.filter((g) => g !== id) : [...phoneGroups, id]);
  const shown = ['saver_at_pct', 'audio_only_at_pct', 'phone_groups', 'allowed_networks', ...Object.keys(prices).map((k) => `price-${k}`)];
  return (
    <form class="form office-settings" onSubmit={submit} noValidate>
      <ProblemAlert problem={action.problem && !shown.includes(action.problem.field ?? '') ? action.problem : null} />
      <fieldset class="card office-fieldset">
        <legend>{s.plans}</legend>
        <label class="check-line">
          <input type="checkbox" checked={metering} onChange={() => setMetering(!metering)} />
          <span>{s.metering}</span>
        </label>
        <p class="hint">{metering ? s.meteringOn : s.meteringOff}</p>
        <p class="hint">{s.plansHint}</p>
        <div class="field-row">
          <TextField label={s.saverAt} value={saver} onValue={setSaver} inputMode="numeric" error={fieldError(action.problem, 'saver_at_pct')} />
          <TextField label={s.audioAt} value={audio} onValue={setAudio} inputMode="numeric" error={fieldError(action.problem, 'audio_only_at_pct')} />
        </div>
      </fieldset>
      <fieldset class="card office-fieldset">
        <legend>{s.phone}</legend>
        <p class="hint">{s.phoneHint}</p>
        {groups.length === 0 ? (
          <p class="muted">{s.noGroups}</p>
        ) : (
          <ul class="check-list">
            {groups.map((group) => (
              <li key={group.id}>
                <label>
                  <input type="checkbox" checked={phoneGroups.includes(group.id)} onChange={() => toggle(group.id)} />
                  <span>{group.name}</span>
                </label>
              </li>
            ))}
          </ul>
        )}
        {fieldError(action.problem, 'phone_groups') && <p class="field-error">{fieldError(action.problem, 'phone_groups')}</p>}
      </fieldset>
      <fieldset class="card office-fieldset">
        <legend>{s.prices}</legend>
        <p class="hint">{s.pricesHint}</p>
        <div class="field-row">
          {kinds.map((kind) => (
            <TextField key={kind} label={word(t.office.kinds, kind)} value={prices[kind]} onValue={(v) => setPrices({ ...prices, [kind]: v })} inputMode="decimal" error={priceError(kind)} />
          ))}
        </div>
      </fieldset>
      <fieldset class="card office-fieldset">
        <legend>{s.networks}</legend>
        <p class="hint">{s.networksHint}</p>
        <AreaField
          label={s.allowedNetworks}
          hint={s.allowedHint}
          value={networks}
          onValue={setNetworks}
          rows={4}
          spellcheck={false}
          class="networks-field"
          error={fieldError(action.problem, 'allowed_networks')}
        />
      </fieldset>
      <div class="form-actions">
        <Button type="submit" kind="primary" busy={action.busy}>
          {t.common.save}
        </Button>
      </div>
    </form>
  );
}

const PRICE_ORDER = ['laptop', 'webcam', 'headset', '4g_key', 'phone_line'];

function rank(kind: string): number {
  const at = PRICE_ORDER.indexOf(kind);
  return at < 0 ? PRICE_ORDER.length : at;
}
