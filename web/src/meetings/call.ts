// One person's call: the signalling WebSocket and the RTCPeerConnection to
// bureau's SFU. Only the browser makes offers: it offers its own tracks
// (microphone, camera in three simulcast layers, screen) and a fixed set of
// receive-only slots that the server fills with whoever should be seen or
// heard. People joining and leaving never renegotiate; our own camera,
// screen or mode does.

import { Store } from '../lib/store';

export type Mode = 'normal' | 'data-saver' | 'audio-only';
export type SourceKind = 'mic' | 'camera' | 'screen' | 'screen-audio';

export interface Participant {
  id: number;
  name: string;
  guest: boolean;
  host: boolean;
  mic: boolean;
  camera: boolean;
  screen: boolean;
  hand: boolean;
  quality: 'good' | 'fair' | 'poor';
  mode: Mode;
}

export interface SlotFill {
  mid: string;
  participant: number;
  source: SourceKind;
}

export interface ChatLine {
  from: number;
  name: string;
  text: string;
  at: number;
}

export type Phase =
  | 'connecting'
  | 'lobby'
  | 'ready'
  | 'joining'
  | 'in-call'
  | 'ended'
  | 'removed'
  | 'refused'
  | 'locked'
  | 'closed';

export interface CallState {
  phase: Phase;
  me: number | null;
  host: boolean;
  title: string;
  locked: boolean;
  participants: Participant[];
  /** Remote video, by slot: who is shown and the track. */
  videos: { fill: SlotFill; track: MediaStreamTrack }[];
  speaker: number | null;
  mode: Mode;
  /** Why the mode is what it is: the person chose it, their link is too
   * weak (the server's LinkWatch), or their data plan is nearly used up. */
  modeReason: 'chosen' | 'bandwidth' | 'data_cap';
  chat: ChatLine[];
  lobby: { id: number; name: string }[];
  mutedByHost: boolean;
  error: string | null;
  mic: boolean;
  camera: boolean;
  screen: boolean;
  hand: boolean;
}

/** Receive slots a receiver offers, per mode. */
const VIDEO_SLOTS: Record<Mode, number> = { normal: 9, 'data-saver': 4, 'audio-only': 0 };
const AUDIO_SLOTS = 3;

/** The camera's simulcast layers: 180p, 360p and 720p from a 720p camera. */
const CAMERA_LAYERS: RTCRtpEncodingParameters[] = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 80_000, maxFramerate: 15 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 450_000 },
  { rid: 'f', maxBitrate: 1_300_000 },
];
/** A screen: a small layer for data-saver receivers, and the whole thing. */
const SCREEN_LAYERS: RTCRtpEncodingParameters[] = [
  { rid: 'q', scaleResolutionDownBy: 6, maxBitrate: 120_000, maxFramerate: 5 },
  { rid: 'f', maxBitrate: 1_500_000 },
];

/** The SDP with `a=ptime` added at the end of each audio section. */
function withPtime(sdp: string, ms: number): string {
  return sdp
    .split(/(?=\r\nm=)/)
    .map((section) => (section.startsWith('\r\nm=audio') && !section.includes('a=ptime') ? `${section.replace(/\r\n$/, '')}\r\na=ptime:${ms}` : section))
    .join('')
    .replace(/(\r\n)?$/, '\r\n');
}

export class Call {
  readonly state: Store<CallState>;
  private ws: WebSocket | null = null;
  private pc: RTCPeerConnection | null = null;
  private micTransceiver: RTCRtpTransceiver | null = null;
  private cameraTransceiver: RTCRtpTransceiver | null = null;
  private screenTransceiver: RTCRtpTransceiver | null = null;
  private screenAudioTransceiver: RTCRtpTransceiver | null = null;
  private videoSlots: RTCRtpTransceiver[] = [];
  private audioSlots: RTCRtpTransceiver[] = [];
  private slots: { video: (SlotFill | null)[]; audio: (SlotFill | null)[] } = { video: [], audio: [] };
  private negotiating = false;
  private again = false;
  private local: MediaStream | null = null;
  private disconnected: ReturnType<typeof setTimeout> | undefined;
  private screenStream: MediaStream | null = null;
  readonly audioOut: HTMLAudioElement[] = [];

  constructor(
    readonly meeting: number,
    initial: { mode: Mode },
  ) {
    this.state = new Store<CallState>({
      phase: 'connecting',
      me: null,
      host: false,
      title: '',
      locked: false,
      participants: [],
      videos: [],
      speaker: null,
      mode: initial.mode,
      modeReason: 'chosen',
      chat: [],
      lobby: [],
      mutedByHost: false,
      error: null,
      mic: true,
      camera: initial.mode !== 'audio-only',
      screen: false,
      hand: false,
    });
  }

  private patch(change: Partial<CallState>): void {
    this.state.set({ ...this.state.get(), ...change });
  }

  /** Opens the signalling socket (members: session; guests: their pass). */
  connect(): void {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/api/v1/meetings/${this.meeting}/signal`);
    this.ws = ws;
    ws.onmessage = (event) => this.receive(JSON.parse(String(event.data)));
    ws.onclose = (event) => {
      const phase = this.state.get().phase;
      if (phase === 'ended' || phase === 'removed' || phase === 'refused') return;
      this.teardown();
      this.patch({ phase: event.code === 4429 ? 'closed' : phase === 'connecting' ? 'locked' : 'closed' });
    };
  }

  private send(message: object): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  // deno-lint-ignore no-explicit-any
  private receive(message: any): void {
    switch (message.type) {
      case 'welcome':
        this.patch({ me: message.participant, host: message.host, title: message.title, locked: message.locked, phase: message.waiting ? 'lobby' : 'ready' });
        break;
      case 'admitted':
        this.patch({ phase: 'ready' });
        break;
      case 'refused':
        this.teardown();
        this.patch({ phase: 'refused' });
        break;
      case 'joined':
        this.patch({ phase: 'in-call' });
        this.announce();
        void this.negotiate();
        break;
      case 'answer':
        void this.answer(message.sdp);
        break;
      case 'slots':
        this.slots = { video: message.video, audio: message.audio };
        this.refreshVideos();
        break;
      case 'participants':
        this.patch({ participants: message.list });
        break;
      case 'speaker':
        this.patch({ speaker: message.participant });
        break;
      case 'mode':
        this.patch({ mode: message.mode, modeReason: message.reason });
        void this.applySendingMode(message.mode);
        break;
      case 'lobby_waiting':
        this.patch({ lobby: message.guests });
        break;
      case 'chat':
        this.patch({ chat: [...this.state.get().chat, message].slice(-200) });
        break;
      case 'locked':
        this.patch({ locked: message.locked });
        break;
      case 'muted_by_host':
        this.setMic(false);
        this.patch({ mutedByHost: true });
        break;
      case 'removed':
        this.teardown();
        this.patch({ phase: 'removed' });
        break;
      case 'ended':
        this.teardown();
        this.patch({ phase: 'ended' });
        break;
      case 'access_ended':
        this.teardown();
        this.patch({ phase: 'closed' });
        break;
      case 'error':
        this.patch({ error: message.code === 'locked' ? 'locked' : message.message });
        break;
    }
  }

  /** The meeting cannot be entered: `locked` (a host locked it) or not found. */
  refuse(locked: boolean, title = ''): void {
    this.patch({ phase: 'locked', error: locked ? 'locked' : null, title });
  }

  /** The data mode chosen before joining. */
  patchMode(mode: Mode): void {
    this.patch({ mode, camera: mode !== 'audio-only' });
  }

  /** Our own camera and microphone, as sent. */
  localStream(): MediaStream | null {
    return this.local;
  }

  /** Enters the call with the tracks of the pre-join screen. */
  join(local: MediaStream | null): void {
    this.local = local;
    const state = this.state.get();
    this.patch({ phase: 'joining', mic: state.mic && !!local?.getAudioTracks().length, camera: state.camera && !!local?.getVideoTracks().length });
    this.send({ type: 'join', mode: state.mode });
  }

  private build(): RTCPeerConnection {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    pc.ontrack = () => this.refreshVideos();
    // ICE restart: a connection that failed, stayed disconnected for 3 s,
    // or whose browser came back online gets new credentials and finds its
    // path again (Wi-Fi to 4G), without leaving the call.
    pc.onconnectionstatechange = () => {
      clearTimeout(this.disconnected);
      if (pc.connectionState === 'failed') this.restartIce();
      if (pc.connectionState === 'disconnected') this.disconnected = setTimeout(() => this.restartIce(), 3000);
    };
    // Not the Network Information API's `change`: it fires whenever the
    // downlink estimate moves, and each restart would renegotiate for
    // nothing; a real change of network fails or disconnects the path.
    window.addEventListener('online', this.networkChanged);
    const state = this.state.get();
    const mic = this.local?.getAudioTracks()[0] ?? null;
    this.micTransceiver = pc.addTransceiver(mic ?? 'audio', { direction: 'sendonly' });
    if (mic) mic.enabled = state.mic;
    const camera = this.local?.getVideoTracks()[0] ?? null;
    if (camera && state.mode !== 'audio-only') {
      this.cameraTransceiver = pc.addTransceiver(camera, { direction: 'sendonly', sendEncodings: CAMERA_LAYERS.map((l) => ({ ...l })) });
      camera.enabled = state.camera;
    }
    this.pc = pc;
    return pc;
  }

  /** Makes an offer for what we send and receive now; one at a time. */
  private async negotiate(): Promise<void> {
    if (this.negotiating) {
      this.again = true;
      return;
    }
    this.negotiating = true;
    try {
      const pc = this.pc ?? this.build();
      const mode = this.state.get().mode;
      const wantedVideo = VIDEO_SLOTS[mode];
      while (this.videoSlots.length < wantedVideo) this.videoSlots.push(pc.addTransceiver('video', { direction: 'recvonly' }));
      this.videoSlots.forEach((t, i) => {
        t.direction = i < wantedVideo ? 'recvonly' : 'inactive';
      });
      while (this.audioSlots.length < AUDIO_SLOTS) this.audioSlots.push(pc.addTransceiver('audio', { direction: 'recvonly' }));
      if (this.cameraTransceiver) this.cameraTransceiver.direction = mode === 'audio-only' ? 'inactive' : 'sendonly';
      const offer = await pc.createOffer();
      // Opus with DTX (the server's answer asks for it too): silence costs
      // almost nothing, which matters on a capped 4G plan.
      offer.sdp = offer.sdp?.replace(/(a=fmtp:\d+ [^\r\n]*useinbandfec=1)(?![^\r\n]*usedtx)/g, '$1;usedtx=1');
      await pc.setLocalDescription(offer);
      const sources: { mid: string; source: SourceKind }[] = [];
      const label = (t: RTCRtpTransceiver | null, source: SourceKind) => {
        if (t?.mid && t.direction === 'sendonly') sources.push({ mid: t.mid, source });
      };
      label(this.micTransceiver, 'mic');
      label(this.cameraTransceiver, 'camera');
      label(this.screenTransceiver, 'screen');
      label(this.screenAudioTransceiver, 'screen-audio');
      const active = (list: RTCRtpTransceiver[]) => list.filter((t) => t.direction === 'recvonly' && t.mid).map((t) => t.mid as string);
      this.send({
        type: 'offer',
        sdp: pc.localDescription?.sdp ?? offer.sdp,
        sources,
        slots: { video: active(this.videoSlots), audio: active(this.audioSlots) },
      });
    } catch (error) {
      this.negotiating = false;
      this.patch({ error: String(error) });
    }
  }

  private async answer(sdp: string): Promise<void> {
    try {
      // Outside normal mode the microphone sends 60 ms packets: a third of
      // the packets, so a third of the headers, for a little more delay.
      if (this.state.get().mode !== 'normal') sdp = withPtime(sdp, 60);
      await this.pc?.setRemoteDescription({ type: 'answer', sdp });
      await this.applySendingMode(this.state.get().mode);
    } catch (error) {
      this.patch({ error: String(error) });
    }
    this.negotiating = false;
    this.refreshVideos();
    if (this.again) {
      this.again = false;
      void this.negotiate();
    }
  }

  /** Data-saver sends only the smallest camera layer; audio-only sends none;
   * both cap the microphone at 24 kbit/s. */
  private async applySendingMode(mode: Mode): Promise<void> {
    const mic = this.micTransceiver?.sender;
    if (mic) {
      const parameters = mic.getParameters();
      if (parameters.encodings?.length) {
        parameters.encodings[0].maxBitrate = mode === 'normal' ? undefined : 24_000;
        await mic.setParameters(parameters).catch(() => {});
      }
    }
    const sender = this.cameraTransceiver?.sender;
    if (!sender) return;
    const parameters = sender.getParameters();
    if (!parameters.encodings?.length) return;
    parameters.encodings.forEach((encoding) => {
      encoding.active = mode === 'normal' || (mode === 'data-saver' && encoding.rid === 'q');
    });
    try {
      await sender.setParameters(parameters);
    } catch {
      // Not negotiated yet: applied after the answer.
    }
  }

  private refreshVideos(): void {
    const videos: CallState['videos'] = [];
    for (const fill of this.slots.video) {
      if (!fill) continue;
      const transceiver = this.videoSlots.find((t) => t.mid === fill.mid);
      if (transceiver) videos.push({ fill, track: transceiver.receiver.track });
    }
    this.patch({ videos });
    // Audio slots play through hidden audio elements, one per slot.
    this.audioSlots.forEach((t, i) => {
      let element = this.audioOut[i];
      if (!element) {
        element = new Audio();
        element.autoplay = true;
        this.audioOut[i] = element;
      }
      const track = t.receiver.track;
      const current = element.srcObject as MediaStream | null;
      if (current?.getTracks()[0] !== track) {
        element.srcObject = new MediaStream([track]);
        void element.play().catch(() => {});
      }
    });
  }

  /** Tells the server how tall each tile is shown, so it sends a layer that fits. */
  view(tiles: { participant: number; source: SourceKind; height: number }[], pinned: number | null): void {
    this.send({ type: 'view', tiles, pinned });
  }

  private announce(): void {
    const s = this.state.get();
    this.send({ type: 'state', mic: s.mic, camera: s.camera, screen: s.screen, hand: s.hand });
  }

  setMic(on: boolean): void {
    const track = this.local?.getAudioTracks()[0];
    if (!track) on = false;
    if (track) track.enabled = on;
    this.patch({ mic: on, mutedByHost: on ? false : this.state.get().mutedByHost });
    this.announce();
  }

  setCamera(on: boolean): void {
    const track = this.local?.getVideoTracks()[0];
    if (!track || this.state.get().mode === 'audio-only') on = false;
    if (track) track.enabled = on;
    void this.cameraTransceiver?.sender.replaceTrack(on ? (track ?? null) : null);
    this.patch({ camera: on });
    this.announce();
  }

  setHand(up: boolean): void {
    this.patch({ hand: up });
    this.announce();
  }

  setMode(mode: Mode): void {
    if (mode === this.state.get().mode) return;
    this.patch({ mode, modeReason: 'chosen', camera: mode === 'audio-only' ? false : this.state.get().camera });
    this.send({ type: 'mode', mode });
    if (this.pc) {
      if (mode !== 'audio-only' && !this.cameraTransceiver) {
        const camera = this.local?.getVideoTracks()[0];
        if (camera) this.cameraTransceiver = this.pc.addTransceiver(camera, { direction: 'sendonly', sendEncodings: CAMERA_LAYERS.map((l) => ({ ...l })) });
      }
      void this.negotiate();
    }
    this.announce();
  }

  /** Shares a screen or a tab (with its audio when the browser offers it). */
  async shareScreen(): Promise<void> {
    if (!this.pc || this.state.get().screen) return;
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: 15 }, audio: true });
    this.screenStream = stream;
    const video = stream.getVideoTracks()[0];
    if (!video) return;
    video.contentHint = 'detail';
    video.addEventListener('ended', () => this.stopScreen());
    if (this.screenTransceiver) {
      await this.screenTransceiver.sender.replaceTrack(video);
      this.screenTransceiver.direction = 'sendonly';
    } else {
      this.screenTransceiver = this.pc.addTransceiver(video, { direction: 'sendonly', sendEncodings: SCREEN_LAYERS.map((l) => ({ ...l })) });
    }
    const audio = stream.getAudioTracks()[0];
    if (audio) {
      if (this.screenAudioTransceiver) {
        await this.screenAudioTransceiver.sender.replaceTrack(audio);
        this.screenAudioTransceiver.direction = 'sendonly';
      } else {
        this.screenAudioTransceiver = this.pc.addTransceiver(audio, { direction: 'sendonly' });
      }
    }
    this.patch({ screen: true });
    this.announce();
    await this.negotiate();
  }

  stopScreen(): void {
    if (!this.state.get().screen) return;
    this.screenStream?.getTracks().forEach((t) => t.stop());
    this.screenStream = null;
    for (const t of [this.screenTransceiver, this.screenAudioTransceiver]) {
      if (!t) continue;
      void t.sender.replaceTrack(null);
      t.direction = 'inactive';
    }
    this.patch({ screen: false });
    this.announce();
    void this.negotiate();
  }

  chat(text: string): void {
    this.send({ type: 'chat', text });
  }

  host(action: 'admit' | 'refuse', guest: number): void;
  host(action: 'mute' | 'remove', participant: number): void;
  host(action: 'lock', locked: boolean): void;
  host(action: 'end'): void;
  host(action: string, value?: number | boolean): void {
    if (action === 'admit' || action === 'refuse') this.send({ type: action, guest: value });
    else if (action === 'mute' || action === 'remove') this.send({ type: action, participant: value });
    else if (action === 'lock') this.send({ type: 'lock', locked: value });
    else this.send({ type: action });
  }

  /** Reads the connection's statistics (for tests and the data meter). */
  async stats(): Promise<RTCStatsReport | null> {
    return this.pc ? this.pc.getStats() : null;
  }

  private readonly networkChanged = (): void => this.restartIce();

  private restartIce(): void {
    if (!this.pc || this.pc.signalingState === 'closed') return;
    this.pc.restartIce();
    void this.negotiate();
  }

  private teardown(): void {
    clearTimeout(this.disconnected);
    window.removeEventListener('online', this.networkChanged);
    this.pc?.close();
    this.pc = null;
    this.screenStream?.getTracks().forEach((t) => t.stop());
    for (const element of this.audioOut) element.srcObject = null;
    this.patch({ videos: [] });
  }

  /** Hangs up: media stops and the socket closes. */
  leave(): void {
    this.send({ type: 'leave' });
    this.teardown();
    this.ws?.close();
    this.ws = null;
    this.patch({ phase: 'closed' });
  }
}
