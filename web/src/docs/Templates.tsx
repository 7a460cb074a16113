// Templates: a new page starts empty, from one of the built-in templates
// (written by the server in the person's language), or from one of the
// space's own templates, which are pages kept out of the tree and opened
// from here to be changed. Any page can be saved as a template.

import { useState } from 'preact/hooks';
import { api } from '../api/client';
import { navigate } from '../app/router';
import { useT, type Messages } from '../i18n';
import { invalidate } from '../lib/resource';
import { fieldError, useAction } from '../ui/action';
import { ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { SelectField, TextField } from '../ui/Field';
import { Icon } from '../ui/icons';
import { Loaded } from '../ui/Page';
import { toast } from '../ui/Toast';
import { BUILTIN_TEMPLATES, createPage, spaceLabel, titleOf, useSpaces, useTemplates, type BuiltinTemplate, type Page, type Space, type Start } from './state';
import { PageIcon } from './widgets';

/** A built-in template's name, description and emoji. */
export function builtinTemplate(t: Messages, key: BuiltinTemplate): { name: string; hint: string; icon: string } {
  const b = t.docs.templates.builtin;
  switch (key) {
    case 'procedure':
      return { name: b.procedure, hint: b.procedureHint, icon: '🧭' };
    case 'meeting-notes':
      return { name: b.meetingNotes, hint: b.meetingNotesHint, icon: '📅' };
    case 'onboarding':
      return { name: b.onboarding, hint: b.onboardingHint, icon: '👋' };
  }
}

/** Makes a page in `space` (under `parent`), empty or from a template. With
 * no space given, the person picks one of those they may write in. */
export function TemplateDialog({ space, parent = null, parentTitle, onClose }: { space?: Space; parent?: number | null; parentTitle?: string; onClose: () => void }) {
  const t = useT();
  const spaces = useSpaces();
  const writable = (spaces.data ?? []).filter((s) => s.access === 'write' && !s.archived);
  const [chosen, setChosen] = useState<number | null>(space?.id ?? null);
  const target = space ?? writable.find((s) => s.id === chosen) ?? writable.find((s) => s.kind === 'personal') ?? writable[0];
  const action = useAction();

  const make = async (start: Start) => {
    if (!target) return;
    const page = await action.run(() => createPage(target.id, parent, start));
    if (!page) return;
    onClose();
    navigate(`/docs/${page.id}?new`);
  };

  return (
    <Dialog open title={parentTitle ? t.docs.templates.titleInside(parentTitle) : t.docs.templates.title} onClose={onClose} class="wide-dialog docs-dialog template-dialog">
      <p class="muted">{t.docs.templates.intro}</p>
      {!space && writable.length > 1 && target && (
        <SelectField label={t.docs.templates.space} value={String(target.id)} onValue={(v) => setChosen(Number(v))} options={writable.map((s) => ({ value: String(s.id), label: spaceLabel(s, t) }))} />
      )}
      <ProblemAlert problem={action.problem} />
      <ul class="template-grid" aria-label={t.docs.templates.starts}>
        <li>
          <button type="button" class="template-card" disabled={action.busy} onClick={() => void make(null)}>
            <span class="template-icon" aria-hidden="true">
              <Icon name="file" />
            </span>
            <span class="template-text">
              <span class="template-name">{t.docs.templates.empty}</span>
              <span class="template-hint">{t.docs.templates.emptyHint}</span>
            </span>
          </button>
        </li>
        {BUILTIN_TEMPLATES.map((key) => {
          const about = builtinTemplate(t, key);
          return (
            <li key={key}>
              <button type="button" class="template-card" disabled={action.busy} data-template={key} onClick={() => void make({ template: key, title: about.name, icon: about.icon })}>
                <span class="template-icon" aria-hidden="true">
                  {about.icon}
                </span>
                <span class="template-text">
                  <span class="template-name">{about.name}</span>
                  <span class="template-hint">{about.hint}</span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      {target && <SpaceTemplates space={target} busy={action.busy} onUse={(start) => void make(start)} onOpen={onClose} />}
      <div class="dialog-actions">
        <Button onClick={onClose}>{t.common.cancel}</Button>
      </div>
    </Dialog>
  );
}

/** The space's own templates: each makes a page, or opens to be changed. */
function SpaceTemplates({ space, busy, onUse, onOpen }: { space: Space; busy: boolean; onUse: (start: Start) => void; onOpen: () => void }) {
  const t = useT();
  const templates = useTemplates(space.id);
  const personal = space.kind === 'personal' && space.access === 'write';
  return (
    <section class="template-space" aria-labelledby={`templates-of-${space.id}`}>
      <h3 id={`templates-of-${space.id}`}>{personal ? t.docs.templates.ofPersonal : t.docs.templates.ofSpace(space.name)}</h3>
      <Loaded resource={templates}>
        {(data) =>
          data.pages.length === 0 ? (
            <p class="muted">{t.docs.templates.noneOfSpace}</p>
          ) : (
            <ul class="template-list">
              {data.pages.map((page) => {
                const title = titleOf(page, t);
                return (
                  <li key={page.id}>
                    <button type="button" class="template-use" disabled={busy} onClick={() => onUse({ template_id: page.id, title: page.title, icon: page.icon })}>
                      <PageIcon icon={page.icon} />
                      <span>{title}</span>
                    </button>
                    <a class="btn btn-ghost btn-small" href={`/docs/${page.id}`} onClick={onOpen} aria-label={t.docs.templates.editLabel(title)}>
                      <Icon name="edit" />
                      <span>{t.docs.templates.edit}</span>
                    </a>
                  </li>
                );
              })}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}

/** Keeps a copy of a page as a template of its space. */
export function SaveTemplateDialog({ page, space, onClose }: { page: Page; space?: Space; onClose: () => void }) {
  const t = useT();
  const [name, setName] = useState(page.title);
  const action = useAction({ fields: { title: t.docs.templates.nameHint } });
  const label = space ? spaceLabel(space, t) : '';
  const submit = async (e: Event) => {
    e.preventDefault();
    const title = name.trim();
    const made = await action.run(() => api('post', '/pages/{id}/template', { path: { id: page.id }, body: { title: title || null } }));
    if (!made) return;
    invalidate(`docs:templates:${page.space_id}`);
    onClose();
    toast(t.docs.templates.saved(titleOf(made, t), label), 'success', { label: t.docs.templates.openTemplate, run: () => navigate(`/docs/${made.id}`) });
  };
  return (
    <Dialog open title={t.docs.templates.saveTitle} onClose={onClose}>
      <form class="form" onSubmit={submit}>
        <p class="muted">{t.docs.templates.saveIntro(label)}</p>
        <TextField label={t.docs.templates.nameLabel} value={name} onValue={setName} maxLength={200} autoFocus error={fieldError(action.problem, 'title')} />
        <ProblemAlert problem={action.problem?.field === 'title' ? null : action.problem} />
        <div class="dialog-actions">
          <Button onClick={onClose}>{t.common.cancel}</Button>
          <Button type="submit" kind="primary" busy={action.busy}>
            {t.docs.templates.save}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
