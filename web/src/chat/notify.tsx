// Notifications: the tab's title counts what is unread, and the browser's
// desktop notifications (asked for politely, once) announce messages that
// the person's preferences let through while they look elsewhere.

import { useState } from 'preact/hooks';
import { navigate } from '../app/router';
import { me } from '../app/session';
import { messages, useT } from '../i18n';
import { mentions } from './markdown';
import { arrivals, entries, people, viewing } from './state';
import { sendSignal, connection } from '../realtime/events';

const ASKED_KEY = 'bureau.notifications.asked';

/** Starts following arrivals and unread counts; call once per session. */
export function startChatNotifications(): () => void {
  const stopArrivals = arrivals.subscribe((arrival) => {
    if (!arrival || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    const { message, entry } = arrival;
    const view = viewing.get();
    if (view.visible && view.channel === message.channel_id) return;
    const myName = me.get()?.name ?? '';
    const direct = entry.channel.kind === 'dm';
    const wanted =
      entry.notify === 'all' ? true : entry.notify === 'mentions' ? direct || mentions(message.text, myName) : false;
    if (!wanted) return;
    const t = messages();
    const author = message.via ?? people.get()[message.author_id]?.display_name ?? t.chat.someone;
    const where = direct ? author : `${author} · #${entry.channel.name}`;
    const note = new Notification(where, { body: message.text.slice(0, 200), tag: `chat-${message.channel_id}` });
    note.onclick = () => {
      window.focus();
      navigate(`/chat/${message.channel_id}/${message.id}`);
      note.close();
    };
  });
  const stopTitle = entries.subscribe((list) => {
    const total = (list ?? []).filter((e) => e.notify !== 'mute').reduce((n, e) => n + (e.channel.kind === 'dm' ? e.unread : e.mentions), 0);
    document.title = total > 0 ? `(${total}) bureau` : 'bureau';
  });
  const stopActivity = trackActivity();
  const stopWatching = watchPresence();
  const onVisibility = () => viewing.update((v) => ({ ...v, visible: document.visibilityState === 'visible' }));
  document.addEventListener('visibilitychange', onVisibility);
  return () => {
    stopActivity();
    stopWatching();
    stopArrivals();
    stopTitle();
    document.removeEventListener('visibilitychange', onVisibility);
    document.title = 'bureau';
  };
}

/** Tells the server whose presence this tab shows (the people of its DMs),
 * so that it hears of their comings and goings and of nobody else's. */
function watchPresence(): () => void {
  let sent = '';
  const send = (force: boolean) => {
    const myId = me.get()?.id;
    const ids = [...new Set((entries.get() ?? []).flatMap((e) => (e.channel.kind === 'dm' ? e.dm_members : [])))].filter((id) => id !== myId).sort((a, b) => a - b);
    const key = ids.join(',');
    if (key === sent && !force) return;
    sent = key;
    sendSignal({ type: 'presence.watch', user_ids: ids });
  };
  const stopEntries = entries.subscribe(() => send(false));
  const stopConnection = connection.subscribe((c) => {
    if (c.state === 'online') send(true);
  });
  return () => {
    stopEntries();
    stopConnection();
  };
}

/** Idle this long (no key, pointer or visible tab), a person shows as away. */
const AWAY_AFTER_MS = 10 * 60_000;

/** Tells the server when this tab goes idle and comes back: once each way,
 * never on a timer the server would feel. */
function trackActivity(): () => void {
  let last = Date.now();
  let away = false;
  const active = () => {
    last = Date.now();
    if (away && document.visibilityState === 'visible') {
      away = false;
      sendSignal({ type: 'presence', state: 'active' });
    }
  };
  const check = () => {
    if (!away && Date.now() - last > AWAY_AFTER_MS) {
      away = true;
      sendSignal({ type: 'presence', state: 'away' });
    }
  };
  // A new connection starts active on the server: say so if we are not.
  const stopConnection = connection.subscribe((c) => {
    if (c.state === 'online' && away) sendSignal({ type: 'presence', state: 'away' });
  });
  const events = ['pointerdown', 'keydown', 'visibilitychange', 'focus'];
  for (const name of events) addEventListener(name, active, { passive: true });
  const timer = setInterval(check, 60_000);
  return () => {
    for (const name of events) removeEventListener(name, active);
    clearInterval(timer);
    stopConnection();
  };
}

/** A quiet offer to turn on desktop notifications, until answered. */
export function NotificationPrompt() {
  const t = useT();
  const [hidden, setHidden] = useState(() => typeof Notification === 'undefined' || Notification.permission !== 'default' || localStorage.getItem(ASKED_KEY) === '1');
  if (hidden) return null;
  const answer = async (enable: boolean) => {
    localStorage.setItem(ASKED_KEY, '1');
    setHidden(true);
    if (enable) await Notification.requestPermission();
  };
  return (
    <div class="notify-prompt" role="region" aria-label={t.chat.notifications}>
      <span>{t.chat.enableNotificationsText}</span>
      <button type="button" class="btn btn-primary btn-small" onClick={() => void answer(true)}>
        {t.chat.enableNotifications}
      </button>
      <button type="button" class="btn btn-ghost btn-small" onClick={() => void answer(false)}>
        {t.chat.notNow}
      </button>
    </div>
  );
}
