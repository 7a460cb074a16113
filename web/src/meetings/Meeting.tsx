// A meeting: the pre-join screen (camera preview, microphone level, device
// choice, data mode, connection verdict), the lobby for guests, and the
// call itself (grid or speaker view, controls, chat, people and host
// controls). Members open /meet/ID; guests open /meet/ID/guest#k=KEY.

import './meetings.css';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { describe } from '../api/errors';
import { api } from '../api/client';
import { LanguageSwitch } from '../accounts/AuthLayout';
import { navigate } from '../app/router';
import { formatDate, useT, type Messages } from '../i18n';
import { useStore } from '../lib/store';
import { Alert, ProblemAlert } from '../ui/Alert';
import { Button, IconButton } from '../ui/Button';
import { SelectField, TextField } from '../ui/Field';
import { Icon, Logo } from '../ui/icons';
import { Call, type CallState, type Mode, type Participant } from './call';

type Verdict = 'checking' | 'good' | 'fair' | 'poor';

/** Round trips to bureau itself: the median of a few small requests. */
async function measureConnection(): Promise<Verdict> {
  const times: number[] = [];
  for (let i = 0; i < 4; i++) {
    const start = performance.now();
    try {
      await fetch('/healthz', { cache: 'no-store' });
    } catch {
      return 'poor';
    }
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const rtt = (times[1] + times[2]) / 2;
  const downlink = (navigator as Navigator & { connection?: { downlink?: number } }).connection?.downlink;
  if (rtt > 600 || (downlink !== undefined && downlink < 0.15)) return 'poor';
  if (rtt > 250 || (downlink !== undefined && downlink < 0.6)) return 'fair';
  return 'good';
}

function modeFor(verdict: Verdict): Mode {
  return verdict === 'poor' ? 'audio-only' : verdict === 'fair' ? 'data-saver' : 'normal';
}

/** A full connection test's verdict (office/ConnectionTest.tsx) as a probe's. */
const TESTED = { video: 'good', data_saver: 'fair', audio_only: 'poor' } as const;

interface Tested {
  verdict: keyof typeof TESTED;
  at: number;
}

/** The person's latest full connection test, if it is recent enough to
 * say something (30 days, as the office's readiness counts it). */
async function recentTest(): Promise<Tested | null> {
  try {
    const [latest] = await api('get', '/office/connection-tests', { query: {} });
    if (!latest || !(latest.verdict in TESTED) || Date.now() - latest.at > 30 * 86_400_000) return null;
    return { verdict: latest.verdict as Tested['verdict'], at: latest.at };
  } catch {
    return null;
  }
}

/** Whether `a` says less of the link than `b` (poor < fair < good). */
function worse(a: Verdict, b: Verdict): boolean {
  const order: Verdict[] = ['poor', 'fair', 'good'];
  return order.indexOf(a) < order.indexOf(b);
}

export function MeetingPage({ id, guestKey }: { id: number; guestKey: string | null }) {
  const t = useT();
  const call = useMemo(() => new Call(id, { mode: 'normal' }), [id]);
  const state = useStore(call.state);
  const [entered, setEntered] = useState(false);

  useEffect(() => {
    // Members learn at once who is in the call (a locked meeting or one
    // they may not enter is said so first); guests connect after knocking.
    if (!guestKey) {
      api('get', '/meetings/{id}', { path: { id } }).then(
        (meeting) => (meeting.locked && !meeting.host ? call.refuse(true, meeting.title) : call.connect()),
        () => call.refuse(false),
      );
    }
    (window as Window & { bureauCall?: Call }).bureauCall = call; // for diagnostics and the browser tests
    return () => call.leave();
  }, [call]);

  useEffect(() => {
    document.title = `${state.title || t.meet.title} · ${t.app.name}`;
  }, [state.title, t]);

  if (state.phase === 'in-call' || state.phase === 'joining') return <Room call={call} state={state} />;
  const over = ['ended', 'removed', 'refused', 'locked', 'closed'].includes(state.phase);
  if (over && (entered || state.phase !== 'locked' || guestKey === null)) {
    const message =
      state.phase === 'locked' && !entered
        ? state.error === 'locked'
          ? t.meet.locked
          : t.meet.notFound
        : t.meet[state.phase as 'ended' | 'removed' | 'refused' | 'locked' | 'closed'];
    return (
      <MeetShell>
        <h1>{state.title || t.meet.title}</h1>
        <Alert kind={state.phase === 'closed' || state.phase === 'ended' ? 'info' : 'error'}>{message}</Alert>
        {!guestKey && (
          <div class="meet-actions">
            <Button kind="primary" onClick={() => location.reload()}>
              {t.meet.rejoin}
            </Button>
            <Button onClick={() => navigate('/meetings')}>{t.meet.backToMeetings}</Button>
          </div>
        )}
      </MeetShell>
    );
  }
  return (
    <PreJoin
      call={call}
      state={state}
      guestKey={guestKey}
      onEnter={() => setEntered(true)}
    />
  );
}

function MeetShell({ children }: { children: preact.ComponentChildren }) {
  return (
    <div class="meet-shell">
      <header class="meet-shell-head">
        <a href="/" class="brand" aria-label="bureau">
          <Logo />
        </a>
        <LanguageSwitch />
      </header>
      <main class="meet-shell-main">{children}</main>
    </div>
  );
}

function PreJoin(props: { call: Call; state: CallState; guestKey: string | null; onEnter: () => void }) {
  const { call, state, guestKey } = props;
  const t = useT();
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  const [cameraId, setCameraId] = useState('');
  const [micId, setMicId] = useState('');
  const [failed, setFailed] = useState(false);
  /** The camera and microphone were opened or refused: joining waits for it. */
  const [settled, setSettled] = useState(false);
  const [verdict, setVerdict] = useState<Verdict>('checking');
  const [tested, setTested] = useState<Tested | null>(null);
  const [mode, setMode] = useState<Mode>('normal');
  /** The person picked a mode: the connection verdict no longer changes it. */
  const chosen = useRef(false);
  const [name, setName] = useState('');
  const [nameMissing, setNameMissing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [level, setLevel] = useState(0);
  const video = useRef<HTMLVideoElement>(null);
  const joinWhenAdmitted = useRef(false);

  useEffect(() => {
    let live = true;
    // A full test measured far more than these few round trips: its verdict
    // leads, unless the quick probe finds the link worse now (the person
    // may have moved since).
    void Promise.all([measureConnection(), guestKey ? null : recentTest()]).then(([probed, test]) => {
      if (!live) return;
      setVerdict(probed);
      setTested(test);
      const advised = test ? TESTED[test.verdict] : probed;
      if (!chosen.current) setMode(modeFor(worse(probed, advised) ? probed : advised));
    });
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    let live = true;
    let opened: MediaStream | null = null;
    const constraints: MediaStreamConstraints = {
      audio: micId ? { deviceId: { exact: micId } } : true,
      video: mode === 'audio-only' ? false : { ...(cameraId ? { deviceId: { exact: cameraId } } : {}), width: 1280, height: 720 },
    };
    if (!navigator.mediaDevices) {
      // Not a secure context (plain http away from localhost): no devices.
      setFailed(true);
      setSettled(true);
      return;
    }
    navigator.mediaDevices
      .getUserMedia(constraints)
      .catch(() => navigator.mediaDevices.getUserMedia({ audio: true }))
      .then(async (s) => {
        opened = s;
        if (!live) {
          s.getTracks().forEach((track) => track.stop());
          return;
        }
        setStream(s);
        setFailed(false);
        setSettled(true);
        setDevices(await navigator.mediaDevices.enumerateDevices());
      })
      .catch(() => {
        if (!live) return;
        setFailed(true);
        setSettled(true);
      });
    return () => {
      live = false;
      // Handed to the call when joining; stopped otherwise.
      if (opened && !joinWhenAdmitted.current && call.state.get().phase !== 'joining' && call.state.get().phase !== 'in-call') {
        opened.getTracks().forEach((track) => track.stop());
      }
    };
  }, [cameraId, micId, mode === 'audio-only']);

  useEffect(() => {
    if (video.current) video.current.srcObject = stream;
  }, [stream]);

  // The microphone's level, from an analyser on its track.
  useEffect(() => {
    const track = stream?.getAudioTracks()[0];
    if (!track) return;
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 512;
    context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    const data = new Uint8Array(analyser.fftSize);
    const timer = setInterval(() => {
      analyser.getByteTimeDomainData(data);
      let peak = 0;
      for (const value of data) peak = Math.max(peak, Math.abs(value - 128));
      setLevel(Math.min(1, peak / 64));
    }, 100);
    return () => {
      clearInterval(timer);
      void context.close();
    };
  }, [stream]);

  // A guest admitted by a host enters at once.
  useEffect(() => {
    if (state.phase === 'ready' && joinWhenAdmitted.current) {
      joinWhenAdmitted.current = false;
      call.join(stream);
    }
  }, [state.phase]);

  const join = async () => {
    setError(null);
    props.onEnter();
    call.patchMode(mode);
    if (guestKey) {
      if (!name.trim()) {
        setNameMissing(true);
        return;
      }
      setBusy(true);
      try {
        await api('post', '/meetings/{id}/guests', { path: { id: call.meeting }, body: { key: guestKey, name: name.trim() } });
      } catch (e) {
        setBusy(false);
        setError(e);
        return;
      }
      joinWhenAdmitted.current = true;
      call.connect();
      return;
    }
    call.join(stream);
  };

  const cameras = devices.filter((d) => d.kind === 'videoinput');
  const mics = devices.filter((d) => d.kind === 'audioinput');
  const others = state.participants.length;

  if (state.phase === 'lobby') {
    return (
      <MeetShell>
        <section class="meet-lobby" aria-live="polite">
          <h1>{t.meet.lobbyTitle}</h1>
          <p>{t.meet.lobbyBody}</p>
          <span class="spinner" aria-hidden="true" />
        </section>
      </MeetShell>
    );
  }

  return (
    <MeetShell>
      <section class="meet-prejoin">
        <div class="meet-preview">
          <video ref={video} autoPlay muted playsInline aria-label={t.meet.preview} class={stream?.getVideoTracks().length ? '' : 'hidden'} />
          {!stream?.getVideoTracks().length && <p class="meet-preview-off">{t.meet.cameraOffPreview}</p>}
          <div class="meet-level" role="meter" aria-label={t.meet.micLevel} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(level * 100)}>
            <span style={{ width: `${Math.round(level * 100)}%` }} />
          </div>
        </div>
        <div class="meet-prejoin-form">
          <h1>{state.title || t.meet.title}</h1>
          {guestKey ? <p>{t.meet.guestIntro}</p> : <p>{t.meet.inCall(others)}</p>}
          {failed && <Alert kind="warning">{t.meet.noDevices}</Alert>}
          {guestKey && <TextField label={t.meet.yourName} value={name} onValue={(v) => { setName(v); setNameMissing(false); }} maxLength={80} autoComplete="name" required error={nameMissing ? t.meet.nameMissing : null} />}
          {cameras.length > 0 && mode !== 'audio-only' && (
            <SelectField label={t.meet.camera} value={cameraId} onValue={setCameraId} options={[{ value: '', label: cameras[0].label || t.meet.camera }, ...cameras.slice(1).map((d, i) => ({ value: d.deviceId, label: d.label || `${t.meet.camera} ${i + 2}` }))]} />
          )}
          {mics.length > 0 && (
            <SelectField label={t.meet.microphone} value={micId} onValue={setMicId} options={[{ value: '', label: mics[0].label || t.meet.microphone }, ...mics.slice(1).map((d, i) => ({ value: d.deviceId, label: d.label || `${t.meet.microphone} ${i + 2}` }))]} />
          )}
          <SelectField<Mode>
            label={t.meet.mode}
            value={mode}
            onValue={(m) => {
              chosen.current = true;
              setMode(m);
            }}
            options={(['normal', 'data-saver', 'audio-only'] as Mode[]).map((m) => ({ value: m, label: t.meet.modes[m] }))}
          />
          <div role="status">
            {tested && <p class={`meet-verdict meet-verdict-${TESTED[tested.verdict]}`}>{t.meet.tested[tested.verdict](formatDate(new Date(tested.at).toISOString()))}</p>}
            {(!tested || worse(verdict, TESTED[tested.verdict])) && <p class={`meet-verdict meet-verdict-${verdict}`}>{t.meet.verdict[verdict]}</p>}
          </div>
          {!guestKey && (
            <p class="meet-test-link">
              <a href="/office/test">{t.meet.fullTest}</a>
            </p>
          )}
          {error !== null && <ProblemAlert problem={describe(t, error)} />}
          {state.error === 'locked' && <Alert kind="error">{t.meet.locked}</Alert>}
          <Button kind="primary" icon="meetings" busy={busy || !settled || (state.phase === 'connecting' && !guestKey)} onClick={() => void join()}>
            {t.meet.join}
          </Button>
        </div>
      </section>
    </MeetShell>
  );
}

function Room({ call, state }: { call: Call; state: CallState }) {
  const t = useT();
  const [layout, setLayout] = useState<'grid' | 'speaker'>('grid');
  const [panel, setPanel] = useState<'chat' | 'people' | null>(null);
  const [unread, setUnread] = useState(0);
  const stage = useRef<HTMLDivElement>(null);
  const grid = useRef<HTMLDivElement>(null);
  const byId = new Map(state.participants.map((p) => [p.id, p]));
  const me = state.me === null ? undefined : byId.get(state.me);

  // Tell the server how tall each remote tile is, so it sends a fitting layer.
  useEffect(() => {
    const element = stage.current;
    if (!element) return;
    let last = '';
    const report = () => {
      const tiles = [...element.querySelectorAll<HTMLElement>('[data-participant]')]
        .filter((tile) => tile.dataset.remote === 'true')
        .map((tile) => ({
          participant: Number(tile.dataset.participant),
          source: (tile.dataset.source ?? 'camera') as 'camera' | 'screen',
          height: Math.round(tile.clientHeight * (window.devicePixelRatio || 1)),
        }));
      const text = JSON.stringify(tiles);
      if (text !== last) {
        last = text;
        call.view(tiles, layout === 'speaker' ? state.speaker : null);
      }
    };
    const observer = new ResizeObserver(() => report());
    observer.observe(element);
    report();
    return () => observer.disconnect();
  }, [state.videos.length, layout, state.speaker]);

  // In the grid, tiles take the size that fills the stage best for their
  // number (3 people on a wide screen: two above, one centred below).
  useEffect(() => {
    const element = grid.current;
    if (!element || layout !== 'grid') return;
    const fit = () => {
      // 3 px of padding keep the speaker's outline in view.
      const width = tileWidth(element.childElementCount, element.clientWidth - 6, element.clientHeight - 6, 8);
      element.style.setProperty('--tile-width', `${Math.floor(width)}px`);
    };
    const observer = new ResizeObserver(fit);
    observer.observe(element);
    fit();
    return () => observer.disconnect();
  }, [layout, state.videos.length, state.participants.length]);

  const chatCount = state.chat.length;
  const seen = useRef(0);
  useEffect(() => {
    if (panel === 'chat') {
      seen.current = chatCount;
      setUnread(0);
    } else setUnread(chatCount - seen.current);
  }, [chatCount, panel]);

  const remote = state.videos.map((v) => ({ ...v, who: byId.get(v.fill.participant) }));
  // A shared screen is shown large in either view; the speaker view
  // otherwise shows whoever speaks.
  const screen = remote.find((v) => v.fill.source === 'screen');
  const featured = screen ?? (layout === 'speaker' ? (remote.find((v) => v.fill.participant === state.speaker) ?? remote[0]) : undefined);
  const noVideo = state.participants.filter((p) => p.id !== state.me && !remote.some((v) => v.fill.participant === p.id && v.fill.source === 'camera'));

  return (
    <div class={`meet-room ${panel ? 'with-panel' : ''}`}>
      <header class="meet-room-head">
        <h1>{state.title}</h1>
        {state.locked && (
          <span class="badge">
            <Icon name="lock" /> {t.meet.lockedBadge}
          </span>
        )}
        <span class="meet-count">{t.meet.inCall(state.participants.length)}</span>
        {state.mode !== 'normal' && <span class="badge">{t.meet.modeShort[state.mode]}</span>}
        <IconButton icon={layout === 'grid' ? 'speaker' : 'grid'} label={layout === 'grid' ? t.meet.speakerView : t.meet.grid} onClick={() => setLayout(layout === 'grid' ? 'speaker' : 'grid')} />
      </header>
      {state.mutedByHost && <Alert kind="info">{t.meet.mutedByHost}</Alert>}
      {state.modeReason === 'bandwidth' && state.mode !== 'normal' && <Alert kind="warning">{t.meet.modeForced(t.meet.modeShort[state.mode])}</Alert>}
      {state.modeReason === 'data_cap' && state.mode !== 'normal' && <Alert kind="warning">{t.meet.modeCapped(t.meet.modeShort[state.mode])}</Alert>}
      {state.host && state.lobby.length > 0 && (
        <section class="meet-lobby-list" aria-label={t.meet.waiting}>
          <h2>{t.meet.waiting}</h2>
          <ul>
            {state.lobby.map((g) => (
              <li key={g.id}>
                <span>{g.name}</span>
                <Button size="small" kind="primary" onClick={() => call.host('admit', g.id)}>
                  {t.meet.admit}
                </Button>
                <Button size="small" onClick={() => call.host('refuse', g.id)}>
                  {t.meet.refuse}
                </Button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <main ref={stage} class={`meet-stage meet-${featured ? 'speaker' : layout}`} aria-label={state.title}>
        {featured && <Tile key={`f-${featured.fill.mid}`} track={featured.track} who={featured.who} source={featured.fill.source} speaking={featured.fill.participant === state.speaker} big t={t} />}
        <div class="meet-tiles" ref={grid}>
          <SelfTile call={call} state={state} me={me} t={t} />
          {remote
            .filter((v) => v !== featured)
            .map((v) => (
              <Tile key={v.fill.mid} track={v.track} who={v.who} source={v.fill.source} speaking={v.fill.participant === state.speaker} t={t} />
            ))}
          {noVideo.map((p) => (
            <div key={`a-${p.id}`} class={`meet-tile meet-tile-audio ${p.id === state.speaker ? 'speaking' : ''}`} data-participant={p.id}>
              <span class="meet-avatar" aria-hidden="true">
                {p.name.slice(0, 1).toUpperCase()}
              </span>
              <TileLabel who={p} t={t} />
            </div>
          ))}
        </div>
      </main>
      {panel === 'chat' && <ChatPanel call={call} state={state} t={t} />}
      {panel === 'people' && <PeoplePanel call={call} state={state} t={t} />}
      <footer class="meet-controls">
        <ToggleButton on={state.mic} icon={state.mic ? 'mic' : 'micOff'} label={state.mic ? t.meet.micOn : t.meet.micOff} onClick={() => call.setMic(!state.mic)} />
        {state.mode !== 'audio-only' && (
          <ToggleButton on={state.camera} icon={state.camera ? 'video' : 'videoOff'} label={state.camera ? t.meet.cameraOn : t.meet.cameraOff} onClick={() => call.setCamera(!state.camera)} />
        )}
        {state.mode !== 'audio-only' && navigator.mediaDevices && 'getDisplayMedia' in navigator.mediaDevices && (
          <ToggleButton on={state.screen} icon="screen" label={state.screen ? t.meet.stopShare : t.meet.shareScreen} onClick={() => (state.screen ? call.stopScreen() : void call.shareScreen().catch(() => {}))} />
        )}
        <ToggleButton on={state.hand} icon="hand" label={state.hand ? t.meet.lowerHand : t.meet.raiseHand} onClick={() => call.setHand(!state.hand)} />
        <label class="meet-mode">
          <span class="visually-hidden">{t.meet.mode}</span>
          <select value={state.mode} onChange={(e) => call.setMode((e.currentTarget as HTMLSelectElement).value as Mode)}>
            {(['normal', 'data-saver', 'audio-only'] as Mode[]).map((m) => (
              <option key={m} value={m}>
                {t.meet.modeShort[m]}
              </option>
            ))}
          </select>
        </label>
        <ToggleButton on={panel === 'chat'} icon="chat" label={unread > 0 ? `${t.meet.chat} (${unread})` : t.meet.chat} onClick={() => setPanel(panel === 'chat' ? null : 'chat')} />
        <ToggleButton on={panel === 'people'} icon="people" label={t.meet.people} onClick={() => setPanel(panel === 'people' ? null : 'people')} />
        <button type="button" class="btn btn-danger meet-leave" onClick={() => call.leave()}>
          <Icon name="hangup" />
          <span>{t.meet.leave}</span>
        </button>
      </footer>
    </div>
  );
}

function ToggleButton(props: { on: boolean; icon: Parameters<typeof Icon>[0]['name']; label: string; onClick: () => void }) {
  return (
    <button type="button" class={`meet-toggle ${props.on ? 'on' : 'off'}`} aria-pressed={props.on} aria-label={props.label} title={props.label} onClick={props.onClick}>
      <Icon name={props.icon} />
    </button>
  );
}

function TileLabel({ who, t, screen }: { who: Participant | undefined; t: Messages; screen?: boolean }) {
  if (!who) return null;
  return (
    <span class="meet-tile-label">
      <span class={`meet-quality meet-quality-${who.quality}`} role="img" aria-label={t.meet.quality[who.quality]} title={t.meet.quality[who.quality]} />
      <span>{screen ? t.meet.screenOf(who.name) : who.name}</span>
      {!who.mic && !screen && <Icon name="micOff" class="meet-muted" />}
      {who.hand && <Icon name="hand" class="meet-hand" />}
      {!who.mic && !screen && <span class="visually-hidden">{t.meet.muted}</span>}
      {who.hand && <span class="visually-hidden">{t.meet.handRaised}</span>}
    </span>
  );
}

function Tile(props: { track: MediaStreamTrack; who: Participant | undefined; source: string; speaking: boolean; big?: boolean; t: Messages }) {
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (video.current) video.current.srcObject = new MediaStream([props.track]);
  }, [props.track]);
  const cameraOff = props.source === 'camera' && props.who && !props.who.camera;
  return (
    <div
      class={`meet-tile ${props.big ? 'meet-tile-big' : ''} ${props.speaking ? 'speaking' : ''}`}
      data-participant={props.who?.id}
      data-source={props.source}
      data-remote="true"
    >
      <video ref={video} autoPlay playsInline muted class={cameraOff ? 'hidden' : ''} />
      {cameraOff && (
        <span class="meet-avatar" aria-hidden="true">
          {props.who?.name.slice(0, 1).toUpperCase()}
        </span>
      )}
      <TileLabel who={props.who} t={props.t} screen={props.source === 'screen'} />
    </div>
  );
}

function SelfTile({ call, state, me, t }: { call: Call; state: CallState; me: Participant | undefined; t: Messages }) {
  const video = useRef<HTMLVideoElement>(null);
  const local = call.localStream();
  useEffect(() => {
    if (video.current) video.current.srcObject = local;
  }, [local]);
  const showVideo = state.camera && !!local?.getVideoTracks().length;
  return (
    <div class={`meet-tile meet-self ${state.speaker === state.me ? 'speaking' : ''}`} data-participant={state.me ?? undefined}>
      <video ref={video} autoPlay playsInline muted class={showVideo ? '' : 'hidden'} />
      {!showVideo && (
        <span class="meet-avatar" aria-hidden="true">
          {(me?.name ?? '?').slice(0, 1).toUpperCase()}
        </span>
      )}
      <span class="meet-tile-label">
        <span>
          {me?.name} ({t.meet.you})
        </span>
        {!state.mic && <Icon name="micOff" class="meet-muted" />}
      </span>
    </div>
  );
}

function ChatPanel({ call, state, t }: { call: Call; state: CallState; t: Messages }) {
  const [text, setText] = useState('');
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    list.current?.scrollTo(0, list.current.scrollHeight);
  }, [state.chat.length]);
  return (
    <aside class="meet-panel" aria-label={t.meet.chat}>
      <h2>{t.meet.chat}</h2>
      {state.chat.length === 0 && <p class="hint">{t.meet.noChat}</p>}
      <ol ref={list} class="meet-chat" aria-live="polite">
        {state.chat.map((line, i) => (
          <li key={i}>
            <strong>{line.name}</strong> {line.text}
          </li>
        ))}
      </ol>
      <form
        class="meet-chat-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!text.trim()) return;
          call.chat(text.trim());
          setText('');
        }}
      >
        <TextField label={t.meet.chatLabel} value={text} onValue={setText} maxLength={2000} />
        <Button type="submit" kind="primary" icon="send">
          {t.meet.send}
        </Button>
      </form>
    </aside>
  );
}

function PeoplePanel({ call, state, t }: { call: Call; state: CallState; t: Messages }) {
  return (
    <aside class="meet-panel" aria-label={t.meet.people}>
      <h2>{t.meet.people}</h2>
      {state.host && (
        <div class="meet-actions">
          <Button size="small" icon="lock" onClick={() => call.host('lock', !state.locked)}>
            {state.locked ? t.meet.unlock : t.meet.lock}
          </Button>
          <Button size="small" kind="danger" onClick={() => call.host('end')}>
            {t.meet.endForAll}
          </Button>
        </div>
      )}
      <ul class="meet-people">
        {state.participants.map((p) => (
          <li key={p.id}>
            <span class={`meet-quality meet-quality-${p.quality}`} role="img" aria-label={t.meet.quality[p.quality]} title={t.meet.quality[p.quality]} />
            <span class="meet-person-name">
              {p.name}
              {p.id === state.me && ` (${t.meet.you})`}
              {p.host && <span class="badge">{t.meet.host}</span>}
              {p.guest && <span class="badge">{t.meet.guest}</span>}
            </span>
            {p.hand && <Icon name="hand" class="meet-hand" />}
            {!p.mic && <Icon name="micOff" class="meet-muted" />}
            {state.host && p.id !== state.me && (
              <span class="meet-person-actions">
                {p.mic && (
                  <Button size="small" onClick={() => call.host('mute', p.id)} label={`${t.meet.mute}: ${p.name}`}>
                    {t.meet.mute}
                  </Button>
                )}
                <Button size="small" kind="danger" onClick={() => call.host('remove', p.id)} label={`${t.meet.remove}: ${p.name}`}>
                  {t.meet.remove}
                </Button>
              </span>
            )}
          </li>
        ))}
      </ul>
    </aside>
  );
}

/** The widest 16:9 tile that lets `count` tiles fit a `width` × `height`
 * area in rows, `gap` pixels apart. */
export function tileWidth(count: number, width: number, height: number, gap: number): number {
  let best = 0;
  for (let columns = 1; columns <= Math.max(1, count); columns++) {
    const rows = Math.ceil(Math.max(1, count) / columns);
    const byWidth = (width - gap * (columns - 1)) / columns;
    const byHeight = ((height - gap * (rows - 1)) / rows) * (16 / 9);
    best = Math.max(best, Math.min(byWidth, byHeight));
  }
  return Math.max(best, 0);
}
