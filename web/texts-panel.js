// The text report (12110) part of the console: the conversation the seat holds, a reply box,
// quick replies, "request location", a voice call-back, and letting the text go or closing it.
// Like the rest of the console, it shows only what the service reports: the conversation is read
// again whenever the live stream stamps a step of its incident (received, sent, delivered...).
import { api, t, el, clock, report, path, $ } from './common.js';

/** @typedef {import('../src/http/page-types').TextConversation} TextConversation */
/** @typedef {import('../src/http/page-types').LiveMessage} LiveMessage */

/** @param {string} seat */
export async function startTextPanel(seat) {
  /** @type {TextConversation | null} */
  let shown = null;
  /** @type {string | null} the incident on screen, set before its conversation is read */
  let incident = null;

  const number = () => {
    if (!incident) throw new Error(t('no_text'));
    return incident;
  };
  /** @param {() => Promise<unknown>} fn */
  const act = async (fn) => {
    try {
      await fn();
      report(null);
    } catch (err) {
      report(err);
    }
  };

  function render() {
    $('no-text').hidden = !!shown;
    $('text').hidden = !shown;
    const open = !!shown && shown.state !== 'closed';
    for (const id of ['btn-text-send', 'btn-text-location', 'btn-text-callback', 'btn-text-close']) $(id, HTMLButtonElement).disabled = !open;
    $('btn-text-release', HTMLButtonElement).disabled = !shown || shown.state !== 'with_seat';
    for (const b of $('quick-replies').querySelectorAll('button')) b.disabled = !open;
    if (!shown) return;
    $('text-incident').textContent = shown.incident;
    $('text-caller').textContent = shown.number;
    $('text-state').textContent = t(`ts_${shown.state}`);
    $('text-messages').replaceChildren(
      ...shown.messages.map((m) =>
        el('li', { class: m.direction, 'data-status': m.status }, m.body, el('span', { class: 'meta' }, `${clock(m.at)} · ${m.direction === 'in' ? t('tx_in') : (m.author ?? '')} · ${t(`tx_${m.status}`)}`)),
      ),
    );
    $('text-messages').scrollTop = $('text-messages').scrollHeight;
  }

  /** @param {string} n */
  async function load(n) {
    incident = n;
    shown = await api('GET', path`/incidents/${n}/texts`);
    render();
  }

  /** @param {string} text */
  const send = (text) => act(() => api('POST', path`/incidents/${number()}/texts`, { text }));
  $('text-reply').addEventListener('submit', (e) => {
    e.preventDefault();
    const box = $('text-body', HTMLTextAreaElement);
    if (!box.value.trim()) return;
    const text = box.value;
    send(text).then(() => (box.value = ''));
  });
  $('btn-text-location').addEventListener('click', () => act(() => api('POST', path`/incidents/${number()}/texts/location-request`)));
  $('btn-text-callback').addEventListener('click', () => act(() => api('POST', path`/incidents/${number()}/texts/call-back`, { seat })));
  $('btn-text-release').addEventListener('click', () => act(() => api('POST', path`/incidents/${number()}/texts/release`)));
  $('btn-text-close').addEventListener('click', () => act(() => api('POST', path`/incidents/${number()}/texts/close`)));

  /** @type {string[]} */
  const quick = await api('GET', '/texts/quick-replies');
  $('quick-replies').replaceChildren(...quick.map((q) => el('button', { type: 'button', title: q, onclick: () => send(q) }, q.length > 14 ? `${q.slice(0, 14)}…` : q)));

  // After a reload (or on a second screen): the text the seat holds now.
  /** @type {{ incident: string } | null} */
  const held = await api('GET', path`/seats/${seat}/text`);
  if (held) await load(held.incident).catch(report);
  render();
  document.addEventListener('cti110:lang', render);

  return {
    /**
     * A step of an incident at this seat. True when it is the text's, so the call panel leaves it alone.
     * @param {Extract<LiveMessage, { type: 'incident' }>} m
     */
    incidentStep(m) {
      const mine = m.kind === 'answered' && m.detail.delivery === 'text';
      if (!mine && m.incident.number !== incident) return false;
      load(m.incident.number).catch(report);
      return true;
    },
  };
}
