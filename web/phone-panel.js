// The phone part of the console for a browser seat: link and call state, microphone and speaker
// levels, answer / mute / hold / hang up. A seat with a SIP softphone (the service answers 404)
// or a console opened for someone else's seat (403) shows why there is no phone here instead.
import { api, t, path, report, $ } from './common.js';

/** @typedef {import('./phone.js').Phone} Phone */

/** The event's detail, as the phone sends it (phone.js dispatches CustomEvents). @param {Event} e @returns {any} */
const detail = (e) => /** @type {CustomEvent} */ (e).detail;
/** @param {string} id */
const button = (id) => $(id, HTMLButtonElement);

/**
 * Starts the seat's phone if it is a browser seat; returns it (or null). `onCall()`: the seat is on a call now.
 * @param {string} seat @param {() => boolean} onCall
 * @returns {Promise<{ phone: Phone, refresh(): void } | null>}
 */
export async function startPhonePanel(seat, onCall) {
  /** @type {import('../src/http/page-types').SeatPhone} */
  let settings;
  try {
    settings = await api('GET', path`/seats/${seat}/phone`);
  } catch (err) {
    const status = /** @type {import('./common.js').ApiError} */ (err).status;
    showNoPhone(status === 404 ? 'phone_sip' : status === 403 ? 'phone_not_yours' : 'phone_unavailable');
    return null;
  }
  // Loaded only for a browser seat: the SIP library is a hundred small modules.
  const { Phone } = await import('./phone.js');
  const phone = new Phone(settings, $('phone-audio', HTMLAudioElement));
  const controls = () => {
    const up = phone.call === 'talking' || phone.call === 'held';
    // A nailed connection is up all shift: hold and hang up act on the call switched into it.
    const call = settings.delivery === 'nailed' ? up && onCall() : up;
    button('btn-answer').disabled = phone.call !== 'incoming';
    button('btn-mute').disabled = !up;
    button('btn-hold').disabled = !call;
    button('btn-hangup').disabled = !(call || phone.call === 'incoming');
  };
  phone.addEventListener('link', (e) => {
    $('phone-link').textContent = t(`link_${detail(e)}`);
    $('phone-link').dataset.state = detail(e);
  });
  phone.addEventListener('call', (e) => {
    $('phone-call').textContent = t(`pc_${detail(e)}`);
    $('phone-call').dataset.state = detail(e);
    $('btn-hold').setAttribute('aria-pressed', String(detail(e) === 'held'));
    controls();
  });
  phone.addEventListener('muted', (e) => $('btn-mute').setAttribute('aria-pressed', String(detail(e))));
  $('btn-answer').addEventListener('click', () => phone.answer());
  $('btn-mute').addEventListener('click', () => phone.setMuted(!phone.muted));
  $('btn-hold').addEventListener('click', () => phone.setHeld(!phone.held).catch((err) => report(err)));
  $('btn-hangup').addEventListener('click', () => phone.hangUp());
  // A closed tab hangs up and unregisters at once (a nailed seat's caller goes back to the queue).
  addEventListener('pagehide', () => phone.stop());
  // The phone lives in this tab: reloading or closing it mid-call loses the call-taker's line, so
  // the browser asks first (the caller would be answered by another seat, but not by this one).
  addEventListener('beforeunload', (e) => {
    if (onCall() && phone.call !== 'idle') e.preventDefault();
  });
  setInterval(() => {
    $('mic-level', HTMLMeterElement).value = phone.level('mic');
    $('speaker-level', HTMLMeterElement).value = phone.level('speaker');
  }, 200);
  const labels = () => {
    $('phone-delivery').textContent = t(`delivery_${settings.delivery}`);
    $('phone-link').textContent = t(`link_${phone.link}`);
    $('phone-call').textContent = t(`pc_${phone.call}`);
  };
  document.addEventListener('cti110:lang', labels);
  labels();
  $('phone-controls').hidden = false;
  // Not awaited: the rest of the console must not wait on the WebSocket (it retries by itself).
  void phone.start();
  return { phone, refresh: controls };
}

/** @param {string} key */
function showNoPhone(key) {
  $('phone-controls').hidden = true;
  const say = () => ($('phone-link').textContent = t(key));
  document.addEventListener('cti110:lang', say);
  say();
  $('phone-link').dataset.state = 'none';
}
