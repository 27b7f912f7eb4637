// The incident timeline as sentences a call-taker reads at a glance ("民警王伟已接通", "Handed over
// to 12345") instead of the stored step names. One builder per timeline kind and language, in
// one table: the type check (tsconfig.web.json) fails when the server adds a kind
// (src/incidents/timeline-kinds.ts) that is not worded here, in either language.
import { lang, t, clock, el } from './common.js';

/** @typedef {import('../src/http/page-types').TimelineKind} TimelineKind */
/** @typedef {import('../src/http/page-types').TimelineEntry} TimelineEntry */
/** @typedef {{ officerName(id: string): string | null }} Names */
/** @typedef {(d: Detail, names: Names) => string} Builder */

/** A step's detail as stored: the builders read it through these, so a missing field shows as '?' rather than "undefined". */
class Detail {
  /** @param {Record<string, unknown>} raw */
  constructor(raw) {
    this.raw = raw;
  }
  /** @param {string} key */
  has(key) {
    return this.raw[key] !== undefined && this.raw[key] !== null && this.raw[key] !== '';
  }
  /** @param {string} key */
  str(key) {
    const v = this.raw[key];
    return v === undefined || v === null || v === '' ? '?' : String(v);
  }
  /** Seconds from a field in ms, one decimal. @param {string} key */
  secs(key) {
    const v = Number(this.raw[key]);
    return Number.isFinite(v) ? (v / 1000).toFixed(1) : '?';
  }
  /** @param {string} key */
  list(key) {
    const v = this.raw[key];
    return Array.isArray(v) ? v.map(String) : [];
  }
}

/** A follow-up score 1-5, or a dash for a question left unanswered. @param {Detail} d @param {string} key */
const score = (d, key) => (d.has(key) ? d.str(key) : '–');

/** "kind:id" or the separate kind and id fields of a dispatch step, as a person reads them. */
const who = {
  /** @param {string} kind @param {string} id @param {Names} n */
  'zh-CN': (kind, id, n) => (kind === 'unit' ? `单位${id}值班电话` : `民警${n.officerName(id) ?? id}`),
  /** @param {string} kind @param {string} id @param {Names} n */
  en: (kind, id, n) => (kind === 'unit' ? `unit ${id}'s duty line` : `Officer ${n.officerName(id) ?? id}`),
};
/** @param {Detail} d @param {Names} n */
const officerZh = (d, n) => who['zh-CN']('officer', d.str(d.has('id') ? 'id' : 'officer'), n);
/** @param {Detail} d @param {Names} n */
const officerEn = (d, n) => who.en('officer', d.str(d.has('id') ? 'id' : 'officer'), n);
/** @param {string} target "officer:2001" @param {Names} n @param {'zh-CN' | 'en'} l */
const target = (target, n, l) => {
  const [kind, id] = target.split(':');
  return who[l](kind ?? '', id ?? target, n);
};

/** Call states (src/calls/call-state.ts) and location sources (src/dispatch/location.ts), worded. */
const STATES = {
  'zh-CN': /** @type {Record<string, string>} */ ({ arrived: '呼入', waiting: '排队', offered: '振铃', talking: '通话', ended: '结束' }),
  en: /** @type {Record<string, string>} */ ({ arrived: 'arrived', waiting: 'waiting', offered: 'ringing a seat', talking: 'talking', ended: 'ended' }),
};
const SOURCES = {
  'zh-CN': /** @type {Record<string, string>} */ ({ 'sip-pidf': '来电携带定位', lookup: '号码定位', pole: '路灯杆', manual: '手动输入' }),
  en: /** @type {Record<string, string>} */ ({ 'sip-pidf': "the call's own location", lookup: 'number lookup', pole: 'pole', manual: 'typed in' }),
};
/** Why a call, a ring or a session ended, as the service records it: the common codes worded, any other shown as recorded. */
const CAUSES = {
  'zh-CN': /** @type {Record<string, string>} */ ({ no_answer: '无人接听', busy: '忙线', congestion: '线路拥塞', unreachable: '无法接通', caller_hung_up: '报警人挂断', abandoned: '报警人放弃等待', call_ended: '通话已结束', supervisor_hung_up: '值班长挂断', taker_left: '接警员已退出', stopped: '已停止', fallback: '服务中断期间', ended_while_service_away: '服务中断期间结束', withdrawn: '已撤回' }),
  en: /** @type {Record<string, string>} */ ({ no_answer: 'no answer', busy: 'busy', congestion: 'congestion', unreachable: 'unreachable', caller_hung_up: 'the caller hung up', abandoned: 'the caller gave up waiting', call_ended: 'the call ended', supervisor_hung_up: 'the supervisor hung up', taker_left: 'the call-taker left', stopped: 'stopped', fallback: 'while the service was down', ended_while_service_away: 'ended while the service was away', withdrawn: 'withdrawn' }),
};
/** Interpreter languages (config interpreting.languages) by their tag; any other shows as its tag. */
const LANGUAGES = {
  'zh-CN': /** @type {Record<string, string>} */ ({ en: '英语', ru: '俄语', ja: '日语', ko: '韩语', fr: '法语', de: '德语', es: '西班牙语', ar: '阿拉伯语', vi: '越南语', th: '泰语', mn: '蒙古语', ug: '维吾尔语', bo: '藏语', 'zh-yue': '粤语' }),
  en: /** @type {Record<string, string>} */ ({ en: 'English', ru: 'Russian', ja: 'Japanese', ko: 'Korean', fr: 'French', de: 'German', es: 'Spanish', ar: 'Arabic', vi: 'Vietnamese', th: 'Thai', mn: 'Mongolian', ug: 'Uyghur', bo: 'Tibetan', 'zh-yue': 'Cantonese' }),
};
/** A language tag as a person reads it, in the page's language (also the console's picker). @param {string} tag */
export const languageName = (tag) => LANGUAGES[lang === 'en' ? 'en' : 'zh-CN'][tag] ?? tag;
/** @param {Detail} d */
const langZh = (d) => LANGUAGES['zh-CN'][d.str('language')] ?? d.str('language');
/** @param {Detail} d */
const langEn = (d) => LANGUAGES.en[d.str('language')] ?? d.str('language');
/** A detail field holding a cause, worded. @param {Detail} d @param {string} key @param {'zh-CN' | 'en'} l */
const cause = (d, key, l) => CAUSES[l][d.str(key)] ?? d.str(key);

/** @param {Detail} d @param {'zh-CN' | 'en'} l */
const place = (d, l) => {
  const at = `${Number(d.raw.lon).toFixed(5)}, ${Number(d.raw.lat).toFixed(5)}`;
  const source = SOURCES[l][d.str('source')] ?? d.str('source');
  const pole = d.has('pole') ? ` ${d.str('pole')}` : '';
  const accuracy = d.has('accuracyM') ? (l === 'en' ? ` ±${d.str('accuracyM')} m` : ` ±${d.str('accuracyM')}米`) : '';
  return l === 'en' ? `Location (${source}${pole}): ${at}${accuracy}` : `定位（${source}${pole}）：${at}${accuracy}`;
};

/** @type {Record<'zh-CN' | 'en', Record<TimelineKind, Builder>>} */
const SENTENCES = {
  'zh-CN': {
    arrived: (d) => `来电 ${d.str('callerNumber')} 呼入（中继 ${d.str('trunk')}）`,
    entered_service: () => '系统已接管来电',
    state: (d) => `通话状态：${STATES['zh-CN'][d.str('from')] ?? d.str('from')} → ${STATES['zh-CN'][d.str('to')] ?? d.str('to')}`,
    reattached: () => '服务恢复，重新接管通话',
    adopted: () => '接管了一通尚无警情编号的通话',
    offered: (d) => (d.raw.overflow ? '正在呼叫溢出席位' : `席位${d.str('seat')}振铃`),
    offer_failed: (d) => `席位${d.str('seat')}未接听（${cause(d, 'cause', 'zh-CN')}）`,
    connect_failed: (d) => `席位${d.str('seat')}接通失败，重新排队`,
    answered: (d) => `席位${d.str('seat')}已接听，等待${d.secs('answerMs')}秒`,
    taker_hung_up: () => '接警员挂断',
    recording: () => '开始录音',
    recording_failed: (d) => `录音失败：${d.str('error')}`,
    recorded: (d) => `录音已保存（第${d.str('seq')}段，${d.secs('durationMs')}秒）`,
    fallback_call: () => '服务中断期间由拨号方案应答',
    location: (d) => place(d, 'zh-CN'),
    location_unusable: (d) => `定位不可用：${d.str('reason')}`,
    dispatch: (d, n) => `开始派警${d.has('cell') ? `（网格${d.str('cell')}）` : ''}：依次呼叫 ${d.list('targets').map((x) => target(x, n, 'zh-CN')).join('、') || '?'}`,
    dispatch_ringing: (d, n) => `正在呼叫${who['zh-CN'](d.str('kind'), d.str('id'), n)}`,
    dispatch_failed: (d, n) => `${who['zh-CN'](d.str('kind'), d.str('id'), n)}未接通（${cause(d, 'cause', 'zh-CN')}），呼叫下一位`,
    dispatch_refused: (d) => `无法派警：${d.str('reason')}`,
    dispatch_exhausted: () => '派警无人接听，请继续处置报警人',
    officer_joined: (d, n) => `${who['zh-CN'](d.str('kind'), d.str('id'), n)}已接通`,
    officer_left: (d, n) => `${officerZh(d, n)}已退出通话`,
    officer_busy: (d, n) => `${officerZh(d, n)}出警中`,
    officer_released: (d, n) => `${officerZh(d, n)}恢复待命`,
    incident_closed: () => '警情已办结',
    unit_notified: (d) => `已推送至单位${d.str('unit')}`,
    signed_for: (d, n) => `${officerZh(d, n)}已签收`,
    on_scene: (d, n) => `${officerZh(d, n)}已到达现场`,
    major_alert: (d) => `重大警情告警：${d.str('category')}`,
    classified: (d) => `已分类：${d.raw.police ? '属于警情' : '非警情'}${d.has('category') ? ` · ${d.str('category')}` : ''}`,
    transfer_dialed: () => '正在转接12345',
    transfer_answered: () => '转接12345成功',
    transfer_failed: (d) => `转接12345失败（${cause(d, 'cause', 'zh-CN')}），继续由接警员处置`,
    transfer_left: () => '12345已退出通话',
    interpreter_requested: (d) => `请求${langZh(d)}翻译：依次呼叫 ${d.list('lines').join('、') || '?'}`,
    interpreter_ringing: (d) => `正在呼叫${langZh(d)}翻译线路${d.str('line')}`,
    interpreter_failed: (d) => `${langZh(d)}翻译线路${d.str('line')}未接通（${cause(d, 'cause', 'zh-CN')}）`,
    interpreter_exhausted: (d) => `${langZh(d)}翻译均未接听，请继续处置报警人`,
    interpreter_joined: (d) => `${langZh(d)}翻译（${d.str('line')}）已接入通话`,
    interpreter_left: (d) => (d.str('by') === 'call-taker' ? `接警员已结束${langZh(d)}翻译，通话继续` : `${langZh(d)}翻译已退出，通话继续`),
    taker_left: () => '接警员已退出，报警人与民警继续通话',
    seat_lost: (d) => `席位${d.str('seat')}连接中断，来电重新排队`,
    abandoned: (d) => `报警人等待${d.secs('waitMs')}秒后挂断`,
    callback: (d) => `席位${d.str('seat')}回拨报警人（${d.str('result')}）`,
    monitoring_started: (d) => `值班长${d.str('supervisor')}开始${t(d.str('mode'))}`,
    monitoring_mode: (d) => `值班长${d.str('supervisor')}切换为${t(d.str('to'))}`,
    monitoring_ended: (d) => `监听结束（${cause(d, 'reason', 'zh-CN')}）`,
    text_received: (d) => `收到短信（${d.str('chars')}字）`,
    text_sent: (d) => `${d.raw.purpose === 'location_request' ? '已发短信请报警人发送位置' : '已回复短信'}（${d.str('author')}，待网关接收）`,
    text_delivered: () => '短信已由网关接收',
    text_released: (d) => `席位${d.str('seat')}结束短信接警，报警人再发短信将重新排队`,
    text_requeued: (d) => `席位${d.str('seat')}已签出，短信警情重新排队`,
    text_closed: () => '短信会话已结束',
    recall: (d) => `回听最近${d.str('seconds')}秒`,
    followup_scheduled: (d) => `已安排回访（${d.str('reason') === 'major' ? '重大警情' : '抽样'}），${clock(Number(d.raw.dueAt))}起`,
    followup_calling: (d) => `正在回访报警人（第${d.str('attempt')}次）`,
    followup_retry: (d) => `回访未接通（${d.str('why')}），${clock(Number(d.raw.dueAt))}重试`,
    followup_answered: (d) => `回访评分：速度${score(d, 'speed')}，态度${score(d, 'attitude')}，效率${score(d, 'efficiency')}`,
    followup_not_reached: (d) => `回访${d.str('attempts')}次均未接通（${d.str('why')}）`,
    followup_unsatisfied: (d) => (d.raw.pushed ? `回访不满意，已推送单位${d.str('unit')}核实` : '回访不满意，单位无接口，请值班长转交'),
    followup_verified: (d) => `单位${d.str('unit')}核实回复（${d.str('by')}）：${d.str('answer')}`,
    ended: (d) => (d.has('reason') ? `通话结束（${cause(d, 'reason', 'zh-CN')}）` : '通话结束'),
  },
  en: {
    arrived: (d) => `Call from ${d.str('callerNumber')} arrived (trunk ${d.str('trunk')})`,
    entered_service: () => 'cti110 has the call',
    state: (d) => `Call state: ${STATES.en[d.str('from')] ?? d.str('from')} → ${STATES.en[d.str('to')] ?? d.str('to')}`,
    reattached: () => 'Service back: the call is taken over again',
    adopted: () => 'A call without an incident number was taken over',
    offered: (d) => (d.raw.overflow ? 'Ringing the overflow line' : `Seat ${d.str('seat')} ringing`),
    offer_failed: (d) => `Seat ${d.str('seat')} did not answer (${cause(d, 'cause', 'en')})`,
    connect_failed: (d) => `Seat ${d.str('seat')} could not be joined: queued again`,
    answered: (d) => `Answered by seat ${d.str('seat')} after ${d.secs('answerMs')} s`,
    taker_hung_up: () => 'The call-taker hung up',
    recording: () => 'Recording started',
    recording_failed: (d) => `Recording failed: ${d.str('error')}`,
    recorded: (d) => `Recording #${d.str('seq')} stored (${d.secs('durationMs')} s)`,
    fallback_call: () => 'Answered by the dialplan fallback while the service was down',
    location: (d) => place(d, 'en'),
    location_unusable: (d) => `Location unusable: ${d.str('reason')}`,
    dispatch: (d, n) => `Dispatch started${d.has('cell') ? ` (cell ${d.str('cell')})` : ''}: ringing ${d.list('targets').map((x) => target(x, n, 'en')).join(', then ') || '?'}`,
    dispatch_ringing: (d, n) => `Ringing ${who.en(d.str('kind'), d.str('id'), n)}`,
    dispatch_failed: (d, n) => `${who.en(d.str('kind'), d.str('id'), n)} not reached (${cause(d, 'cause', 'en')}): trying the next`,
    dispatch_refused: (d) => `Dispatch refused: ${d.str('reason')}`,
    dispatch_exhausted: () => 'Nobody answered the dispatch: keep the caller',
    officer_joined: (d, n) => `${who.en(d.str('kind'), d.str('id'), n)} connected`,
    officer_left: (d, n) => `${officerEn(d, n)} left the call`,
    officer_busy: (d, n) => `${officerEn(d, n)} is busy on this incident`,
    officer_released: (d, n) => `${officerEn(d, n)} is free again`,
    incident_closed: () => 'Incident closed',
    unit_notified: (d) => `Sent to unit ${d.str('unit')}`,
    signed_for: (d, n) => `${officerEn(d, n)} signed for the incident`,
    on_scene: (d, n) => `${officerEn(d, n)} is on scene`,
    major_alert: (d) => `Major incident alert: ${d.str('category')}`,
    classified: (d) => `Classified: ${d.raw.police ? 'police matter' : 'not a police matter'}${d.has('category') ? ` · ${d.str('category')}` : ''}`,
    transfer_dialed: () => 'Ringing 12345',
    transfer_answered: () => 'Handed over to 12345',
    transfer_failed: (d) => `Transfer to 12345 failed (${cause(d, 'cause', 'en')}): the call-taker keeps the caller`,
    transfer_left: () => '12345 left the call',
    interpreter_requested: (d) => `${langEn(d)} interpreter requested: ringing ${d.list('lines').join(', then ') || '?'}`,
    interpreter_ringing: (d) => `Ringing ${langEn(d)} interpreter line ${d.str('line')}`,
    interpreter_failed: (d) => `${langEn(d)} interpreter line ${d.str('line')} not reached (${cause(d, 'cause', 'en')})`,
    interpreter_exhausted: (d) => `No ${langEn(d)} interpreter answered: keep the caller`,
    interpreter_joined: (d) => `${langEn(d)} interpreter (${d.str('line')}) joined the call`,
    interpreter_left: (d) => (d.str('by') === 'call-taker' ? `The call-taker dismissed the ${langEn(d)} interpreter: the call goes on` : `The ${langEn(d)} interpreter left: the call goes on`),
    taker_left: () => 'The call-taker left: caller and officer talk on',
    seat_lost: (d) => `Seat ${d.str('seat')} lost its connection: the caller is queued again`,
    abandoned: (d) => `The caller hung up after waiting ${d.secs('waitMs')} s`,
    callback: (d) => `Seat ${d.str('seat')} called the caller back (${d.str('result')})`,
    monitoring_started: (d) => `Supervisor ${d.str('supervisor')} started to ${t(d.str('mode')).toLowerCase()}`,
    monitoring_mode: (d) => `Supervisor ${d.str('supervisor')} switched to ${t(d.str('to')).toLowerCase()}`,
    monitoring_ended: (d) => `Monitoring ended (${cause(d, 'reason', 'en')})`,
    text_received: (d) => `Text received (${d.str('chars')} characters)`,
    text_sent: (d) => `${d.raw.purpose === 'location_request' ? 'Texted the caller asking for their location' : 'Text reply sent'} (${d.str('author')}; queued for the gateway)`,
    text_delivered: () => 'The gateway took the text',
    text_released: (d) => `Seat ${d.str('seat')} let the text go; a new text from the caller queues it again`,
    text_requeued: (d) => `Seat ${d.str('seat')} logged out: the text waits in the queue again`,
    text_closed: () => 'Text conversation closed',
    recall: (d) => `Replayed the last ${d.str('seconds')} s`,
    followup_scheduled: (d) => `Follow-up scheduled (${d.str('reason') === 'major' ? 'major incident' : 'sample'}) from ${clock(Number(d.raw.dueAt))}`,
    followup_calling: (d) => `Follow-up call to the caller (attempt ${d.str('attempt')})`,
    followup_retry: (d) => `Follow-up not answered (${d.str('why')}): trying again at ${clock(Number(d.raw.dueAt))}`,
    followup_answered: (d) => `Follow-up scores: speed ${score(d, 'speed')}, attitude ${score(d, 'attitude')}, efficiency ${score(d, 'efficiency')}`,
    followup_not_reached: (d) => `Follow-up: caller not reached in ${d.str('attempts')} attempts (${d.str('why')})`,
    followup_unsatisfied: (d) => (d.raw.pushed ? `Unsatisfied follow-up sent to unit ${d.str('unit')} to verify` : 'Unsatisfied follow-up: the unit has no webhook, pass it on'),
    followup_verified: (d) => `Unit ${d.str('unit')} verified (${d.str('by')}): ${d.str('answer')}`,
    ended: (d) => (d.has('reason') ? `Call ended: ${cause(d, 'reason', 'en')}` : 'Call ended'),
  },
};

/** One timeline step as a sentence in the page's language (a kind the server added since: its name, as before). */
export function sentence(/** @type {{ kind: string, detail?: Record<string, unknown> }} */ step, /** @type {Names} */ names) {
  const table = /** @type {Record<string, Builder | undefined>} */ (SENTENCES[lang === 'en' ? 'en' : 'zh-CN']);
  const build = table[step.kind];
  return build ? build(new Detail(step.detail ?? {}), names) : step.kind;
}

/** The timeline's list item: time and sentence; the step's kind stays in data-kind for tests and styles. */
export function timelineItem(/** @type {{ kind: string, at: number, detail?: Record<string, unknown> }} */ step, /** @type {Names} */ names) {
  return el('li', { 'data-kind': step.kind, 'data-at': step.at }, el('time', {}, clock(step.at)), ' ', sentence(step, names));
}
