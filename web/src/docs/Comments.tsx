// The comments of a page, in a panel beside it: threads on the page or on
// words of it (anchored in the text by the editor's `comment` mark), with
// replies, @mentions of people (who are told at once), resolved threads
// folded away. There is no event for other people's comments: the panel
// reads them when it opens and every 20 seconds while it stays open.

import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, type Schemas } from '../api/client';
import { describe } from '../api/errors';
import { me } from '../app/session';
import { formatDateTime, formatRelative, useT } from '../i18n';
import { invalidate } from '../lib/resource';
import { useStore } from '../lib/store';
import { Avatar } from '../ui/Avatar';
import { Button, IconButton } from '../ui/Button';
import { confirm } from '../ui/Dialog';
import { Icon } from '../ui/icons';
import { Loaded } from '../ui/Page';
import { editorHandle, failed, nameIn, selectionDraft, threadAnchors, threadsOf, useComments, useDirectory, type Comment, type Page, type Thread } from './state';
import { PopMenu, type MenuItem } from './widgets';

type Person = Schemas['UserView'];

/** How often open comments are read again. */
const REFRESH_MS = 20_000;

export function CommentsPanel({ page, onClose }: { page: Page; onClose: () => void }) {
  const t = useT();
  const comments = useComments(page.id);
  const directory = useDirectory();
  const draft = useStore(selectionDraft);
  const anchors = useStore(threadAnchors);
  const quoted = draft?.page === page.id ? draft : null;
  const refresh = () => invalidate(`docs:comments:${page.id}`);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    const timer = setInterval(() => document.visibilityState === 'visible' && refresh(), REFRESH_MS);
    // On a phone the panel covers the page: take the focus there.
    if (matchMedia('(max-width: 900px)').matches) heading.current?.focus();
    return () => clearInterval(timer);
  }, [page.id]);

  const focus = (thread: number | null) => threadAnchors.set({ ...threadAnchors.get(), active: thread });

  const start = async (body: string, mentions: number[]) => {
    try {
      const made = await api('post', '/pages/{id}/comments', { path: { id: page.id }, body: { body, mentions, quote: quoted?.quote ?? null, thread_id: null } });
      quoted?.anchor(made.id);
      refresh();
      focus(made.id);
      return null;
    } catch (error) {
      return error;
    }
  };

  const threads = comments.data ? threadsOf(comments.data) : [];
  const open = threads.filter((th) => !th.first.resolved_at).reverse();
  const resolved = threads.filter((th) => th.first.resolved_at).reverse();

  return (
    <aside id="doc-comments" class="comments-panel" aria-labelledby="doc-comments-title">
      <header class="comments-head">
        <h2 id="doc-comments-title" ref={heading} tabIndex={-1}>
          {t.docs.comments.title}
          {open.length > 0 && <span class="comments-count">{open.length}</span>}
        </h2>
        <IconButton icon="close" label={t.docs.comments.close} onClick={onClose} />
      </header>
      <div class="comments-new">
        {quoted && (
          <blockquote class="thread-quote thread-quote-new">
            <span class="visually-hidden">{t.docs.comments.onText} </span>
            {quoted.quote}
          </blockquote>
        )}
        <CommentBox
          key={quoted ? `quote-${quoted.quote}` : 'page'}
          label={quoted ? t.docs.comments.onSelectionLabel : t.docs.comments.addLabel}
          placeholder={quoted ? t.docs.comments.onSelection : t.docs.comments.add}
          submit={t.docs.comments.send}
          directory={directory}
          autoFocus={!!quoted}
          compact={!quoted}
          onSubmit={start}
          onCancel={quoted ? () => quoted.cancel() : undefined}
        />
      </div>
      <Loaded resource={comments}>
        {() => (
          <>
            {open.length === 0 && resolved.length === 0 && <p class="comments-empty">{t.docs.comments.empty}</p>}
            {open.length > 0 && (
              <ul class="threads" aria-label={t.docs.comments.openThreads}>
                {open.map((thread) => (
                  <ThreadCard key={thread.first.id} page={page} thread={thread} active={anchors.active === thread.first.id} directory={directory} onChanged={refresh} onFocus={focus} />
                ))}
              </ul>
            )}
            {resolved.length > 0 && (
              <details class="comments-resolved">
                <summary>{t.docs.comments.resolvedCount(resolved.length)}</summary>
                <ul class="threads" aria-label={t.docs.comments.resolvedThreads}>
                  {resolved.map((thread) => (
                    <ThreadCard key={thread.first.id} page={page} thread={thread} active={false} directory={directory} onChanged={refresh} onFocus={focus} />
                  ))}
                </ul>
              </details>
            )}
          </>
        )}
      </Loaded>
    </aside>
  );
}

function ThreadCard(props: { page: Page; thread: Thread; active: boolean; directory: readonly Person[]; onChanged: () => void; onFocus: (thread: number | null) => void }) {
  const t = useT();
  const { page, thread, directory } = props;
  const first = thread.first;
  const resolved = !!first.resolved_at;
  const card = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (props.active) card.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [props.active]);

  const setResolved = async (on: boolean) => {
    try {
      await api('patch', '/pages/{id}/comments/{comment_id}', { path: { id: page.id, comment_id: first.id }, body: { resolved: on, body: null } });
      if (on) props.onFocus(null);
      props.onChanged();
    } catch (error) {
      failed(t, error);
    }
  };
  const reply = async (body: string, mentions: number[]) => {
    try {
      await api('post', '/pages/{id}/comments', { path: { id: page.id }, body: { body, mentions, thread_id: first.id, quote: null } });
      props.onChanged();
      return null;
    } catch (error) {
      return error;
    }
  };
  /** Shows the words the thread is about, in the page. */
  const reveal = () => {
    props.onFocus(first.id);
    document.querySelector(`.doc-content .comment-mark[data-thread="${first.id}"]`)?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  };
  const author = nameIn(directory, first.author_id) ?? t.docs.comments.someone;

  return (
    <li
      ref={card}
      class={`thread ${props.active ? 'thread-active' : ''} ${resolved ? 'thread-resolved' : ''}`}
      data-thread={first.id}
      aria-label={t.docs.comments.threadBy(author)}
      onClick={(e) => {
        if (!resolved && !(e.target as Element).closest('button, a, textarea, input')) props.onFocus(first.id);
      }}
    >
      <div class="thread-top">
        {first.quote ? (
          <button type="button" class="thread-quote" onClick={reveal} title={t.docs.comments.showInText}>
            <span class="visually-hidden">{t.docs.comments.onText} </span>
            {first.quote}
          </button>
        ) : (
          <span class="thread-page muted">{t.docs.comments.onPage}</span>
        )}
        {resolved ? (
          <Button size="small" kind="ghost" icon="undo" onClick={() => void setResolved(false)}>
            {t.docs.comments.reopen}
          </Button>
        ) : (
          <IconButton icon="check" class="thread-resolve" label={t.docs.comments.resolve} onClick={() => void setResolved(true)} />
        )}
      </div>
      <ol class="thread-comments">
        {[first, ...thread.replies].map((comment) => (
          <CommentItem key={comment.id} page={page} comment={comment} directory={directory} onChanged={props.onChanged} />
        ))}
      </ol>
      {resolved ? (
        <p class="thread-resolved-by muted">
          <Icon name="check" />
          {t.docs.comments.resolvedBy(nameIn(directory, first.resolved_by) ?? t.docs.comments.someone, formatRelative(first.resolved_at!))}
        </p>
      ) : (
        <CommentBox label={t.docs.comments.replyTo(author)} placeholder={t.docs.comments.reply} submit={t.docs.comments.sendReply} directory={directory} compact onSubmit={reply} />
      )}
    </li>
  );
}

function CommentItem({ page, comment, directory, onChanged }: { page: Page; comment: Comment; directory: readonly Person[]; onChanged: () => void }) {
  const t = useT();
  const user = useStore(me);
  const [editing, setEditing] = useState(false);
  const person = directory.find((u) => u.id === comment.author_id);
  const name = person?.display_name ?? nameIn(directory, comment.author_id) ?? t.docs.comments.someone;
  const mine = user?.id === comment.author_id;
  const first = comment.thread_id == null;

  const save = async (body: string) => {
    try {
      await api('patch', '/pages/{id}/comments/{comment_id}', { path: { id: page.id, comment_id: comment.id }, body: { body, resolved: null } });
      setEditing(false);
      onChanged();
      return null;
    } catch (error) {
      return error;
    }
  };
  const remove = async () => {
    const yes = await confirm({
      title: first ? t.docs.comments.deleteThreadTitle : t.docs.comments.deleteTitle,
      body: first ? t.docs.comments.deleteThreadBody : t.docs.comments.deleteBody,
      confirm: t.docs.comments.delete,
      danger: true,
    });
    if (!yes) return;
    try {
      await api('delete', '/pages/{id}/comments/{comment_id}', { path: { id: page.id, comment_id: comment.id } });
      // A thread gone: its words are no longer marked.
      if (first) editorHandle.unmark(comment.id);
      onChanged();
    } catch (error) {
      failed(t, error);
    }
  };
  const items: (MenuItem | false)[] = [
    mine && { label: t.docs.comments.edit, icon: 'edit', onSelect: () => setEditing(true) },
    (mine || page.access === 'write') && { label: t.docs.comments.delete, icon: 'trash', danger: true, onSelect: () => void remove() },
  ];
  return (
    <li class="comment" data-comment={comment.id}>
      <div class="comment-head">
        <Avatar user={{ id: comment.author_id, display_name: name, has_avatar: person?.has_avatar ?? false }} size="small" />
        <span class="comment-author">{name}</span>
        <time class="comment-time" dateTime={comment.created_at} title={formatDateTime(comment.created_at)}>
          {formatRelative(comment.created_at)}
        </time>
        {comment.edited_at && <span class="comment-edited">{t.docs.comments.edited}</span>}
        <PopMenu label={t.docs.comments.actions(name)} items={items} class="comment-menu" />
      </div>
      {editing ? (
        <CommentBox label={t.docs.comments.editLabel} placeholder="" submit={t.common.save} initial={comment.body} directory={directory} autoFocus onSubmit={(body) => save(body)} onCancel={() => setEditing(false)} />
      ) : (
        <p class="comment-body">
          <Mentions text={comment.body} directory={directory} />
        </p>
      )}
    </li>
  );
}

/** A comment's text with the people it mentions ("@Léa Dubois") set apart. */
function Mentions({ text, directory }: { text: string; directory: readonly Person[] }) {
  const names = directory
    .map((p) => p.display_name)
    .filter((n) => n && text.includes(`@${n}`))
    .sort((a, b) => b.length - a.length);
  if (names.length === 0) return <>{text}</>;
  const pattern = new RegExp(`(@(?:${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')}))`, 'g');
  return (
    <>
      {text.split(pattern).map((part, i) =>
        i % 2 === 1 ? (
          <span key={i} class="mention">
            {part}
          </span>
        ) : (
          part
        ),
      )}
    </>
  );
}

/** Lower case, without accents: "lea" finds "Léa". */
const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** Where a comment is written. Enter sends, Shift+Enter starts a new line,
 * "@" offers people to mention: their name goes in the text, and they are
 * told once the comment is sent. Returns the failure, if any. */
function CommentBox(props: {
  label: string;
  placeholder: string;
  submit: string;
  directory: readonly Person[];
  initial?: string;
  autoFocus?: boolean;
  compact?: boolean;
  onSubmit: (body: string, mentions: number[]) => Promise<unknown>;
  onCancel?: () => void;
}) {
  const t = useT();
  const id = useId();
  const user = useStore(me);
  const [text, setText] = useState(props.initial ?? '');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [mention, setMention] = useState<{ query: string; at: number; index: number } | null>(null);
  const picked = useRef(new Map<number, string>());
  const box = useRef<HTMLTextAreaElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const caret = useRef<number | null>(null);
  // A compact box opens with the focus and folds a moment after losing it:
  // folding at once would move what the pointer is pressing elsewhere.
  const [open, setOpen] = useState(false);
  const folding = useRef<number | undefined>(undefined);
  useEffect(() => () => clearTimeout(folding.current), []);

  useEffect(() => {
    if (props.autoFocus) {
      box.current?.focus();
      const end = box.current?.value.length ?? 0;
      box.current?.setSelectionRange(end, end);
    }
  }, []);
  useLayoutEffect(() => {
    if (caret.current !== null && box.current) {
      box.current.setSelectionRange(caret.current, caret.current);
      caret.current = null;
    }
  }, [text]);

  const suggestions = (() => {
    if (!mention) return [];
    const q = fold(mention.query);
    return props.directory
      .filter((p) => p.active && p.id !== user?.id && (fold(p.display_name).split(/\s+/).some((w) => w.startsWith(q)) || fold(p.display_name).startsWith(q) || p.name.startsWith(q)))
      .sort((a, b) => a.display_name.localeCompare(b.display_name))
      .slice(0, 6);
  })();
  const listId = `${id}-people`;
  const showList = mention !== null && suggestions.length > 0;

  const follow = (el: HTMLTextAreaElement) => {
    const before = el.value.slice(0, el.selectionStart ?? el.value.length);
    const match = /(?:^|[\s(])@([\p{L}\p{N}._'-]*(?: [\p{L}\p{N}._'-]*)?)$/u.exec(before);
    setMention(match && match[1].length <= 40 ? { query: match[1], at: before.length - match[1].length - 1, index: 0 } : null);
  };
  const complete = (person: Person) => {
    if (!mention || !box.current) return;
    const end = box.current.selectionStart ?? text.length;
    const inserted = `@${person.display_name} `;
    setText(`${text.slice(0, mention.at)}${inserted}${text.slice(end)}`);
    picked.current.set(person.id, person.display_name);
    caret.current = mention.at + inserted.length;
    setMention(null);
    box.current.focus();
  };
  const send = async () => {
    const body = text.trim();
    if (!body || busy) return;
    setBusy(true);
    setProblem(null);
    const mentions = [...picked.current].filter(([, name]) => body.includes(`@${name}`)).map(([personId]) => personId);
    const error = await props.onSubmit(body, mentions);
    setBusy(false);
    if (error) {
      setProblem(describe(t, error, { fields: { mentions: t.docs.comments.mentionNoAccess, body: t.docs.comments.tooLong } }).message);
      return;
    }
    setText('');
    picked.current.clear();
  };

  return (
    <form
      ref={form}
      class={`comment-box ${props.compact && !open && !text ? 'comment-box-folded' : ''}`}
      onFocusIn={() => {
        clearTimeout(folding.current);
        setOpen(true);
      }}
      onFocusOut={() => {
        clearTimeout(folding.current);
        folding.current = window.setTimeout(() => setOpen(!!form.current?.contains(document.activeElement)), 300);
      }}
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <label class="visually-hidden" for={id}>
        {props.label}
      </label>
      <textarea
        id={id}
        ref={box}
        value={text}
        rows={1}
        placeholder={props.placeholder}
        maxLength={10_000}
        aria-describedby={`${id}-hint`}
        aria-controls={showList ? listId : undefined}
        aria-activedescendant={showList ? `${listId}-${mention!.index}` : undefined}
        onInput={(e) => {
          const el = e.currentTarget;
          setText(el.value);
          follow(el);
        }}
        onKeyDown={(e) => {
          if (showList) {
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault();
              const step = e.key === 'ArrowDown' ? 1 : suggestions.length - 1;
              setMention({ ...mention!, index: (mention!.index + step) % suggestions.length });
              return;
            }
            if (e.key === 'Enter' || e.key === 'Tab') {
              e.preventDefault();
              complete(suggestions[Math.min(mention!.index, suggestions.length - 1)]);
              return;
            }
            if (e.key === 'Escape') {
              e.preventDefault();
              e.stopPropagation();
              setMention(null);
              return;
            }
          }
          if (e.key === 'Escape' && props.onCancel) {
            e.preventDefault();
            e.stopPropagation();
            props.onCancel();
            return;
          }
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            void send();
          }
        }}
        onBlur={() => setTimeout(() => setMention(null), 150)}
      />
      {showList && (
        <ul id={listId} class="mention-list comment-mentions" role="listbox" aria-label={t.docs.comments.mentionList}>
          {suggestions.map((person, i) => (
            <li
              key={person.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === mention!.index ? 'true' : 'false'}
              class={i === mention!.index ? 'selected' : ''}
              onMouseDown={(e) => {
                e.preventDefault();
                complete(person);
              }}
            >
              <Avatar user={person} size="small" />
              <strong>{person.display_name}</strong> <span>@{person.name}</span>
            </li>
          ))}
        </ul>
      )}
      {problem && (
        <p class="comment-problem" role="alert">
          {problem}
        </p>
      )}
      <p id={`${id}-hint`} class="comment-hint">
        {t.docs.comments.hint}
      </p>
      <div class="comment-box-actions">
        {props.onCancel && (
          <Button size="small" kind="ghost" onClick={props.onCancel}>
            {t.common.cancel}
          </Button>
        )}
        <Button size="small" kind="primary" type="submit" busy={busy} disabled={!text.trim()}>
          {props.submit}
        </Button>
      </div>
    </form>
  );
}
