// Shared by every page: labels in zh-CN (default) or English, REST calls, the live stream with
// reconnect, keyboard shortcuts. Plain ES modules, no build step: the service serves them as is.
// The session is an HttpOnly cookie: scripts never see the token, and no ARI/AMI secret is here.

export { path } from './path.js';

/** @type {Record<'zh-CN' | 'en', Record<string, string>>} */
const LABELS = {
  'zh-CN': {
    title_console: '接警席', title_wallboard: '值班长大屏', title_recordings: '录音与抽检', title_admin: '系统管理', title_signin: '登录',
    name: '用户名', password: '密码', sign_in: '登录', sign_out: '退出', language: 'English',
    seat: '席位', state: '状态', login: '签入', logout: '签出', ready: '就绪', not_ready: '暂停', reason: '暂停原因',
    reason_break: '休息', reason_training: '培训', reason_admin: '事务',
    current_call: '当前来电', no_call: '暂无来电', caller: '主叫号码', incident: '警情编号', since_arrival: '来电时长', location: '位置', source: '来源',
    classify: '警情分类', police_matter: '属于警情', yes: '是', no: '否', category: '类别', notes: '备注', save_classification: '保存分类',
    pole: '路灯杆编码', lon: '经度', lat: '纬度', find_officers: '查找附近民警', conference_officer: '三方通话最近民警', transfer_12345: '转接12345', leave_call: '退出通话', interpreter_language: '翻译语种', call_interpreter: '呼叫翻译', dismiss_interpreter: '结束翻译',
    officers: '附近民警', officer: '民警', distance: '距离', timeline: '警情时间线', abandoned: '未接来电', call_back: '回拨', waited: '等待',
    follow_up: '回访（今日）', fu_by: '席位 / 单位', fu_asked: '回访数', fu_answered: '已评价', fu_not_reached: '未接通', fu_speed: '速度', fu_attitude: '态度', fu_efficiency: '效率', fu_unsatisfied: '不满意', fu_all: '合计', fu_unit: '单位',
    waiting: '排队来电', longest_wait: '最长等待', seats_by_state: '席位状态', answered_3s: '3秒接听率(今日)', abandoned_today: '今日放弃', alerts: '告警',
    recordings: '录音', search: '搜索', play: '播放', spot_checks: '抽检', draw_sample: '抽取今日样本', score: '评分', speed: '速度', attitude: '态度', correctness: '规范', save_score: '提交评分',
    map: '网格地图', dialplan: '拨号方案', check: '检查', reload: '重新加载', result: '结果', shortcuts: '快捷键',
    s_logged_out: '未签入', s_ready: '就绪', s_ringing: '振铃', s_on_call: '通话中', s_wrap_up: '话后处理', s_not_ready: '暂停',
    connected: '实时连接正常', disconnected: '实时连接中断，正在重连…', replaced: '此用户打开的窗口过多，本窗口的实时连接已关闭（刷新页面可恢复）', error: '错误', done: '完成',
    monitoring: '监听', supervisor_phone: '值班长话机', listen: '监听', whisper: '密语', barge: '强插', stop_monitoring: '停止监听', actions: '操作',
    m_none: '未在监听', m_ringing: '话机振铃中', m_connected: '已接通', m_ended: '已结束',
    phone: '话机', phone_link: '连接', phone_call: '通话', mic_level: '麦克风音量', speaker_level: '听筒音量',
    answer: '接听', mute: '静音', hold: '保持', hang_up: '挂断', dispatch_now: '派最近民警（*1）', recall: '回听（*2）',
    link_off: '未连接', link_connecting: '正在连接…', link_registered: '已注册', link_unregistered: '未注册', link_failed: '连接中断，正在重连…',
    pc_idle: '空闲', pc_incoming: '来电振铃', pc_talking: '通话中', pc_held: '保持中',
    delivery_ring: '（逐呼振铃）', delivery_nailed: '（常连接）',
    phone_sip: '本席位使用SIP话机', phone_not_yours: '仅本席位接警员可使用此话机', phone_unavailable: '话机设置不可用',
    d_on_duty: '在岗', d_busy: '出警中', d_off_duty: '不在岗', scale_m: '米', scale_km: '公里',
    last_hour: '最近一小时', chart_waiting: '排队来电（每分钟峰值）', chart_answer: '最慢接听（秒）', chart_target: '3秒目标', minutes_ago: '分钟前', now: '现在',
    text_report: '短信报警（12110）', no_text: '暂无短信报警', text_reply: '回复短信', send: '发送', quick_replies: '快捷回复', request_location: '请求位置', text_call_back: '转语音回拨', text_release: '本次处理完毕', text_close: '结束会话',
    tx_in: '报警人', tx_queued: '待发送', tx_sent: '已送达网关', tx_received: '已收到', ts_waiting: '排队中', ts_with_seat: '本席位处理中', ts_released: '已处理，待新短信', ts_closed: '已结束',
    seats_needed: '当前所需席位', seats_staffed: '在岗席位（就绪/振铃/通话）', shortfall: '缺口', staffing_basis: '近15分钟：每分钟{rate}个来电，平均处理{handle}，{goal}%来电3秒内接听（Erlang C）', staffing_unknown: '近15分钟尚无结束的通话，暂无法计算',
  },
  en: {
    title_console: 'Call-taker console', title_wallboard: 'Supervisor wallboard', title_recordings: 'Recordings and spot-checks', title_admin: 'Administration', title_signin: 'Sign in',
    name: 'User name', password: 'Password', sign_in: 'Sign in', sign_out: 'Sign out', language: '中文',
    seat: 'Seat', state: 'State', login: 'Log in', logout: 'Log out', ready: 'Ready', not_ready: 'Not ready', reason: 'Not-ready reason',
    reason_break: 'Break', reason_training: 'Training', reason_admin: 'Admin work',
    current_call: 'Current call', no_call: 'No call', caller: 'Caller', incident: 'Incident', since_arrival: 'Since arrival', location: 'Location', source: 'Source',
    classify: 'Classify', police_matter: 'Police matter', yes: 'Yes', no: 'No', category: 'Category', notes: 'Notes', save_classification: 'Save classification',
    pole: 'Pole code', lon: 'Longitude', lat: 'Latitude', find_officers: 'Find nearest officers', conference_officer: 'Conference nearest officer', transfer_12345: 'Transfer to 12345', leave_call: 'Leave call', interpreter_language: 'Interpreter language', call_interpreter: 'Call interpreter', dismiss_interpreter: 'Dismiss interpreter',
    officers: 'Nearest officers', officer: 'Officer', distance: 'Distance', timeline: 'Incident timeline', abandoned: 'Abandoned calls', call_back: 'Call back', waited: 'Waited',
    follow_up: 'Follow-up (today)', fu_by: 'Seat / unit', fu_asked: 'Asked', fu_answered: 'Answered', fu_not_reached: 'Not reached', fu_speed: 'Speed', fu_attitude: 'Attitude', fu_efficiency: 'Efficiency', fu_unsatisfied: 'Unsatisfied', fu_all: 'All', fu_unit: 'Unit',
    waiting: 'Calls waiting', longest_wait: 'Longest wait', seats_by_state: 'Seats by state', answered_3s: 'Answered within 3 s (today)', abandoned_today: 'Abandoned today', alerts: 'Alerts',
    recordings: 'Recordings', search: 'Search', play: 'Play', spot_checks: 'Spot-checks', draw_sample: "Draw today's sample", score: 'Score', speed: 'Speed', attitude: 'Attitude', correctness: 'Correctness', save_score: 'Save score',
    map: 'Grid map', dialplan: 'Dialplan', check: 'Check', reload: 'Reload', result: 'Result', shortcuts: 'Shortcuts',
    s_logged_out: 'Logged out', s_ready: 'Ready', s_ringing: 'Ringing', s_on_call: 'On call', s_wrap_up: 'Wrap-up', s_not_ready: 'Not ready',
    connected: 'Live', disconnected: 'Live link lost, reconnecting…', replaced: 'Live link closed: this user has too many windows open (reload to take it back)', error: 'Error', done: 'Done',
    monitoring: 'Monitoring', supervisor_phone: 'Supervisor phone', listen: 'Listen', whisper: 'Whisper', barge: 'Barge', stop_monitoring: 'Stop monitoring', actions: 'Actions',
    m_none: 'Not monitoring', m_ringing: 'Phone ringing', m_connected: 'Connected', m_ended: 'Ended',
    phone: 'Phone', phone_link: 'Link', phone_call: 'Call', mic_level: 'Microphone', speaker_level: 'Speaker',
    answer: 'Answer', mute: 'Mute', hold: 'Hold', hang_up: 'Hang up', dispatch_now: 'Dispatch nearest (*1)', recall: 'Recall (*2)',
    link_off: 'Off', link_connecting: 'Connecting…', link_registered: 'Registered', link_unregistered: 'Not registered', link_failed: 'Link lost, reconnecting…',
    pc_idle: 'Idle', pc_incoming: 'Ringing', pc_talking: 'Talking', pc_held: 'On hold',
    delivery_ring: '(rings per call)', delivery_nailed: '(nailed for the shift)',
    phone_sip: 'This seat uses a SIP phone', phone_not_yours: "Only this seat's call-taker can use its phone", phone_unavailable: 'Phone settings unavailable',
    d_on_duty: 'on duty', d_busy: 'busy', d_off_duty: 'off duty', scale_m: 'm', scale_km: 'km',
    last_hour: 'Last hour', chart_waiting: 'Calls waiting (peak per minute)', chart_answer: 'Slowest answer (s)', chart_target: '3 s target', minutes_ago: 'min ago', now: 'now',
    text_report: 'Text report (12110)', no_text: 'No text report', text_reply: 'Reply', send: 'Send', quick_replies: 'Quick replies', request_location: 'Request location', text_call_back: 'Call back by voice', text_release: 'Done for now', text_close: 'Close conversation',
    tx_in: 'Caller', tx_queued: 'queued', tx_sent: 'sent', tx_received: 'received', ts_waiting: 'waiting', ts_with_seat: 'at this seat', ts_released: 'done for now, waiting for a new text', ts_closed: 'closed',
    seats_needed: 'Seats needed now', seats_staffed: 'Seats staffed (ready, ringing, on call)', shortfall: 'Short by', staffing_basis: 'Last 15 min: {rate} calls/min, {handle} average handling, {goal} % answered within 3 s (Erlang C)', staffing_unknown: 'No call has ended in the last 15 minutes: not computed yet',
  },
};

/** @type {'zh-CN' | 'en'} */
export let lang = localStorage.getItem('cti110.lang') === 'en' ? 'en' : 'zh-CN';
/** A label in the page's language; {name} placeholders filled from `values`. @param {string} key @param {Record<string, string | number>} [values] */
export const t = (key, values) => (LABELS[lang][key] ?? key).replace(/\{(\w+)\}/g, (all, name) => (values && name in values ? String(values[name]) : all));

/**
 * The page's element with this id, of the kind asked for (HTMLElement by default). A page
 * without it, or with another kind of element there, is a bug of the page: it throws here
 * rather than hand back a null that fails later, far from the cause.
 * @template {Element} [E=HTMLElement]
 * @param {string} id
 * @param {{ new (): E, prototype: E }} [kind]
 * @returns {E}
 */
export function $(id, kind) {
  const node = document.getElementById(id);
  const want = kind ?? HTMLElement;
  if (!(node instanceof want)) throw new Error(`#${id}: no ${want.name} on this page`);
  return /** @type {E} */ (/** @type {unknown} */ (node));
}

/** Fills every [data-i18n] element's text and every [data-i18n-label] element's aria-label. */
export function applyLabels(root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll('[data-i18n]')) {
    const hint = el.getAttribute('aria-keyshortcuts');
    el.textContent = t(el.getAttribute('data-i18n') ?? '') + (hint ? ` (${hint})` : '');
  }
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.getAttribute('data-i18n-label') ?? ''));
  if (document.body.dataset.title) document.title = `cti110 · ${t(document.body.dataset.title)}`;
}

export function toggleLanguage() {
  lang = lang === 'en' ? 'zh-CN' : 'en';
  localStorage.setItem('cti110.lang', lang);
  applyLabels();
  document.dispatchEvent(new CustomEvent('cti110:lang'));
}

/** @typedef {Error & { status?: number, code?: string, body?: any }} ApiError */

/**
 * A REST call; a 4xx/5xx becomes an Error carrying the service's message. The answer is `any`:
 * each caller names what it expects with a JSDoc type from src/http/page-types.ts, which is
 * what the type check then holds the page to.
 * @param {string} method @param {string} path @param {unknown} [body]
 * @returns {Promise<any>}
 */
export async function api(method, path, body) {
  const res = await fetch(path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (res.status === 401 && !path.startsWith('/auth/')) location.href = '/ui/index.html';
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw Object.assign(new Error(data?.message ?? res.statusText), { status: res.status, code: data?.error, body: data });
  return data;
}

/** @typedef {import('../src/http/page-types').LiveMessage} LiveMessage */

/**
 * The live stream; reconnects with a capped backoff and says so in the status element.
 * @param {(message: LiveMessage) => void} onMessage
 * @param {HTMLElement} [statusEl]
 */
export function live(onMessage, statusEl) {
  let delay = 500;
  /** @type {string | null} the status's label key, kept to say it again in the other language */
  let said = null;
  /** @param {string} key @param {'up' | 'down'} state */
  const say = (key, state) => {
    said = key;
    if (!statusEl) return;
    statusEl.textContent = t(key);
    statusEl.dataset.state = state;
  };
  document.addEventListener('cti110:lang', () => {
    if (said && statusEl) statusEl.textContent = t(said);
  });
  const open = () => {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/events`);
    ws.onopen = () => {
      delay = 500;
      say('connected', 'up');
    };
    ws.onmessage = (e) => onMessage(JSON.parse(e.data));
    ws.onclose = (e) => {
      // 4401: the session ended (signed out, expired, role changed); 4008: too many windows of
      // this user, this the oldest: reconnecting would only close another one (see http/live-sockets.ts).
      if (e.code === 4401) {
        location.href = '/ui/index.html';
        return;
      }
      say(e.code === 4008 ? 'replaced' : 'disconnected', 'down');
      if (e.code === 4008) return;
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 10000);
    };
  };
  open();
}

/** Alt+<key> runs the button with aria-keyshortcuts="Alt+<KEY>" (if it is enabled). */
export function installShortcuts() {
  document.addEventListener('keydown', (e) => {
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    const key = `Alt+${e.key.length === 1 ? e.key.toUpperCase() : e.key}`;
    const target = document.querySelector(`[aria-keyshortcuts="${key}"]`);
    if (!(target instanceof HTMLElement) || ('disabled' in target && target.disabled)) return;
    e.preventDefault();
    if (target.matches('input, select, textarea')) target.focus();
    else target.click();
  });
}

/**
 * A new element: attributes (`on…` ones are listeners; false, null and undefined leave the
 * attribute out) and children (nodes, or anything else as text).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, unknown>} [attrs]
 * @param {...unknown} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) node.addEventListener(k.slice(2), /** @type {EventListener} */ (v));
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
};

/** m:ss @param {number} ms */
export const duration = (ms) => {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};
/** @param {number} ms */
export const clock = (ms) => new Date(ms).toLocaleTimeString(lang, { hour12: false });

/** The page header, the same on every signed-in page; links from data-nav="href label [keys];...". */
function renderHeader() {
  const header = document.querySelector('header');
  if (!header) throw new Error('no <header> on this page');
  const nav = el('nav', {}, ...(header.dataset.nav ?? '').split(';').filter(Boolean).map((item) => {
    const [href, label, keys] = item.split(' ');
    return el('a', { href, 'data-i18n': label, 'aria-keyshortcuts': keys });
  }));
  header.replaceChildren(
    el('h1', { 'data-i18n': document.body.dataset.title }), nav, el('span', { id: 'who' }), el('span', { id: 'live', role: 'status', 'aria-live': 'polite' }),
    el('button', { id: 'lang', 'data-i18n': 'language', 'aria-keyshortcuts': 'Alt+L' }), el('button', { id: 'signout', 'data-i18n': 'sign_out', 'aria-keyshortcuts': 'Alt+Q' }),
  );
  header.after(el('p', { id: 'message', role: 'status', 'aria-live': 'polite' }));
}

/** @typedef {{ name: string, role: string, seat: string | null }} Me */

/** Common page start: who is signed in, header, labels, language switch, sign-out, shortcuts. */
export async function startPage() {
  /** @type {Me} */
  const me = await api('GET', '/auth/me');
  renderHeader();
  applyLabels();
  installShortcuts();
  $('who').textContent = `${me.name} · ${me.role}${me.seat ? ` · ${t('seat')} ${me.seat}` : ''}`;
  $('lang').addEventListener('click', toggleLanguage);
  $('signout').addEventListener('click', async () => {
    await api('POST', '/auth/logout').catch(() => undefined);
    location.href = '/ui/index.html';
  });
  return me;
}

/**
 * Shows an action's failure (the service's 4xx message) in the page's status line.
 * @param {unknown} err @param {HTMLElement | null} [target]
 */
export function report(err, target = document.getElementById('message')) {
  if (!target) return;
  target.textContent = err ? `${t('error')}: ${err instanceof Error ? err.message : String(err)}` : t('done');
  target.dataset.state = err ? 'error' : 'ok';
}
