// The console as the call-taker's phone (browser seats, issue 18): SIP over WebSocket to
// Asterisk with SIP.js (served from the installed npm package under /ui/vendor/), audio by
// WebRTC (DTLS-SRTP, Opus or G.711). Asterisk rings the page as it rings a softphone: once per
// call for a 'ring' seat, once per shift for a 'nailed' one, whose calls are then switched into
// that one connection. The settings (WebSocket URL, SIP user and password) come from the
// signed-in session (GET /seats/<id>/phone); nothing is typed in and nothing is stored.
import { UserAgent, Registerer, RegistererState, SessionState, Web } from './vendor/sip.js/index.js';

/** @typedef {import('./vendor/sip.js/index.js').Invitation} Invitation */
/** @typedef {import('./vendor/sip.js/index.js').Session} Session */
/** @typedef {import('./vendor/sip.js/index.js').Web.SessionDescriptionHandler} SessionDescriptionHandler */
/** @typedef {import('../src/http/page-types').SeatPhone} SeatPhone */
/** @typedef {{ read(): number, close(): Promise<unknown> }} Meter */

/**
 * The recording of record is evidence: what the call-taker's microphone picks up is kept as it
 * is. The browser's noise suppression takes out steady sounds (an alarm, an engine, a tone) and
 * its gain control pumps the level; call-takers' headset microphones cancel the floor's noise
 * themselves. Echo cancellation stays: on a loudspeaker the caller would hear their own voice.
 */
const MICROPHONE = { echoCancellation: true, noiseSuppression: false, autoGainControl: false };

/** Reconnect delays after the WebSocket drops (ms): quick at first, then every 10 s for ever. */
const RETRY_MS = [500, 1000, 2000, 5000, 10000];

/**
 * Events (EventTarget): 'link' (detail: off | connecting | registered | unregistered | failed),
 * 'call' (detail: idle | incoming | talking | held), 'muted' (detail: boolean).
 */
export class Phone extends EventTarget {
  /** @param {SeatPhone} settings @param {HTMLAudioElement} audio */
  constructor(settings, audio) {
    super();
    this.settings = settings;
    this.audio = audio;
    /** @type {Invitation | null} */
    this.session = null;
    this.muted = false;
    this.held = false;
    this.stopping = false;
    this.retries = 0;
    this.link = 'off';
    this.call = 'idle';
    /** @type {{ mic: Meter | null, speaker: Meter | null }} */
    this.levels = { mic: null, speaker: null };
    this.ua = new UserAgent({
      uri: UserAgent.makeURI(settings.uri),
      authorizationUsername: settings.user,
      authorizationPassword: settings.password,
      displayName: `seat ${settings.seat}`,
      transportOptions: { server: settings.wsUrl, traceSip: false },
      logLevel: 'warn',
      sessionDescriptionHandlerFactoryOptions: {
        // Host candidates only: Asterisk is on the centre's network, and SIP.js's default STUN
        // server (Google's) would be a call out of the building and a wait on every answer.
        peerConnectionConfiguration: { iceServers: [] },
        iceGatheringTimeout: 500,
      },
      delegate: {
        onInvite: (invitation) => this.offered(invitation),
        onDisconnect: (error) => this.disconnected(error),
      },
    });
    this.registerer = new Registerer(this.ua, { expires: 300 });
    this.registerer.stateChange.addListener((state) => {
      if (state === RegistererState.Registered) {
        this.retries = 0;
        this.setLink('registered');
      } else if (state === RegistererState.Unregistered && !this.stopping) this.setLink('unregistered');
    });
  }

  async start() {
    this.setLink('connecting');
    try {
      await this.ua.start();
      await this.registerer.register();
    } catch {
      this.disconnected(new Error('connect failed'));
    }
  }

  /** The tab is going away: hang up and unregister now, rather than let Asterisk find out by qualify. */
  stop() {
    this.stopping = true;
    if (this.session?.state === SessionState.Established) this.session.bye().catch(() => undefined);
    else if (this.session?.state === SessionState.Initial) this.session.reject().catch(() => undefined);
    this.registerer.unregister().catch(() => undefined);
    this.ua.stop().catch(() => undefined);
    this.setLink('off');
  }

  /** @param {Error | undefined} error */
  disconnected(error) {
    if (this.stopping) return;
    this.setLink(error ? 'failed' : 'unregistered');
    const delay = RETRY_MS[Math.min(this.retries++, RETRY_MS.length - 1)];
    setTimeout(() => {
      if (this.stopping) return;
      this.setLink('connecting');
      this.ua.reconnect().then(() => this.registerer.register()).catch(() => this.disconnected(new Error('reconnect failed')));
    }, delay);
  }

  /** An INVITE: Asterisk offering a call (ring seat) or the shift's connection (nailed seat). */
  /** @param {Invitation} invitation */
  offered(invitation) {
    if (this.session) {
      // One line per seat, as on a headset: a second offer while one is up is refused as busy.
      invitation.reject({ statusCode: 486 }).catch(() => undefined);
      return;
    }
    this.session = invitation;
    invitation.sessionDescriptionHandlerModifiers = [preferOpus];
    invitation.sessionDescriptionHandlerModifiersReInvite = [preferOpus];
    invitation.stateChange.addListener((state) => {
      if (state === SessionState.Established) this.established(invitation);
      if (state === SessionState.Terminated) this.ended(invitation);
    });
    // The service asks for auto-answer (seats[].autoAnswer) as it does of softphones: Call-Info
    // answer-after=0. Without it the call-taker answers (Answer, Alt+A).
    const callInfo = invitation.request.getHeader('Call-Info') ?? '';
    if (/answer-after\s*=\s*0/i.test(callInfo)) this.answer();
    else this.setCall('incoming');
  }

  answer() {
    if (this.session?.state !== SessionState.Initial) return;
    this.session.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: MICROPHONE, video: false } } }).catch(() => undefined);
  }

  /** @param {Session} session */
  established(session) {
    const sdh = /** @type {SessionDescriptionHandler} */ (session.sessionDescriptionHandler);
    this.audio.srcObject = sdh.remoteMediaStream;
    this.audio.play().catch(() => undefined); // autoplay refused until the first click: the next one plays it
    this.levels = { mic: meter(sdh.localMediaStream), speaker: meter(sdh.remoteMediaStream) };
    this.setMuted(this.muted);
    this.setCall('talking');
  }

  /** @param {Session} session */
  ended(session) {
    if (this.session !== session) return;
    this.session = null;
    this.held = false;
    for (const level of Object.values(this.levels)) level?.close();
    this.levels = { mic: null, speaker: null };
    this.audio.srcObject = null;
    this.setCall('idle');
  }

  /**
   * Ends the call in progress. A ringing seat's call is its SIP call: BYE. A nailed seat's
   * connection outlives its calls: '#' on it ends the call and keeps the connection (the
   * headset's own key, calls/stasis-bindings.ts), sent as SIP INFO, which needs no audio path.
   */
  hangUp() {
    const session = this.session;
    if (!session) return;
    if (session.state === SessionState.Initial) {
      session.reject().catch(() => undefined);
      return;
    }
    if (session.state !== SessionState.Established) return;
    if (this.settings.delivery === 'nailed') this.sendKeys('#');
    else session.bye().catch(() => undefined);
  }

  /** Keys as the headset's keypad sends them (SIP INFO application/dtmf-relay). @param {string} keys */
  sendKeys(keys) {
    const session = this.session;
    if (session?.state !== SessionState.Established) return;
    /** @type {Promise<unknown>} */
    let chain = Promise.resolve();
    for (const key of keys) {
      chain = chain.then(() => session.info({ requestOptions: { body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: `Signal=${key}\r\nDuration=160` } } })).catch(() => undefined);
    }
  }

  /** @param {boolean} muted */
  setMuted(muted) {
    this.muted = muted;
    handlerOf(this.session)?.enableSenderTracks(!muted && !this.held);
    this.dispatchEvent(new CustomEvent('muted', { detail: muted }));
  }

  /** Hold: a re-INVITE with sendonly; Asterisk holds the other party (music on hold if configured). */
  /** @param {boolean} held */
  async setHeld(held) {
    const session = this.session;
    if (!session || session.state !== SessionState.Established || held === this.held) return;
    await new Promise((resolve, reject) => {
      /** @type {import('./vendor/sip.js/index.js').Core.OutgoingRequestDelegate} */
      const requestDelegate = { onAccept: resolve, onReject: (response) => reject(new Error(`hold refused: ${response.message.statusCode}`)) };
      session.invite({ requestDelegate, sessionDescriptionHandlerModifiers: held ? [preferOpus, Web.holdModifier] : [preferOpus] }).catch(reject);
    });
    this.held = held;
    handlerOf(session)?.enableSenderTracks(!held && !this.muted);
    handlerOf(session)?.enableReceiverTracks(!held);
    this.setCall(held ? 'held' : 'talking');
  }

  /** Microphone and speaker levels, 0-1 (RMS), or 0 without a call. */
  /** @param {'mic' | 'speaker'} which */
  level(which) {
    return this.levels[which]?.read() ?? 0;
  }

  /** @param {string} link */
  setLink(link) {
    this.link = link;
    this.dispatchEvent(new CustomEvent('link', { detail: link }));
  }

  /** @param {string} call */
  setCall(call) {
    this.call = call;
    this.dispatchEvent(new CustomEvent('call', { detail: call }));
  }
}

/** The session's WebRTC handler (SIP.js types it as the generic interface). @param {Session | null} session */
const handlerOf = (session) => /** @type {SessionDescriptionHandler | undefined} */ (session?.sessionDescriptionHandler);

/**
 * Opus first in the page's answer (Chrome sends the first codec of its answer). Asterisk offers
 * G.711 first to a channel the service creates (it asks for signed linear, and G.711 is the
 * cheapest way there); Opus is what the issue asks of a browser seat: wideband to the headset,
 * and loss concealment on a busy floor's network. Asterisk transcodes it for the caller's A-law.
 */
/** @param {RTCSessionDescriptionInit} description @returns {Promise<RTCSessionDescriptionInit>} */
function preferOpus(description) {
  const opus = [...(description.sdp ?? '').matchAll(/^a=rtpmap:(\d+) opus\/48000/gm)].map((m) => m[1]);
  if (!opus.length) return Promise.resolve(description);
  const sdp = (description.sdp ?? '').replace(/^(m=audio \d+ \S+) ([\d ]+?)(\r?)$/m, (/** @type {string} */ _, /** @type {string} */ head, /** @type {string} */ types, /** @type {string} */ cr) => `${head} ${[...opus, ...types.split(' ').filter((p) => !opus.includes(p))].join(' ')}${cr}`);
  return Promise.resolve({ type: description.type, sdp });
}

/** An RMS level meter on a media stream (Web Audio analyser; nothing is played through it). */
/** @param {MediaStream} stream @returns {Meter} */
function meter(stream) {
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  context.createMediaStreamSource(stream).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  return {
    read() {
      if (context.state === 'suspended') context.resume().catch(() => undefined);
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const x of samples) sum += x * x;
      return Math.sqrt(sum / samples.length);
    },
    close: () => context.close().catch(() => undefined),
  };
}
