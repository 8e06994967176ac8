/** Text of the briefing and remote views, both languages. */
import type { Bilingual } from '@models/district.ts';
import type { BriefingRefusal } from '@models/briefing.ts';

export const B: Record<string, Bilingual> = {
  attract: { zh: '轮播中', en: 'Attract loop' },
  group: { zh: '组', en: 'Group' },
  waiting: { zh: '等待讲解人', en: 'Waiting for a presenter' },
  loading: { zh: '正在载入故事…', en: 'Loading the story…' },
  noStory: { zh: '服务器上没有故事（data/stories/）', en: 'No story on the server (data/stories/)' },
  step: { zh: '步', en: 'Step' },
  keys: { zh: '→ / 空格 / PageDown 下一步 · ← / PageUp 上一步 · B 黑屏 · L 语言', en: '→ / Space / PageDown next · ← / PageUp back · B blank · L language' },
  attractIn: { zh: '讲解人已离开，稍后回到轮播', en: 'Presenter left; back to the attract loop soon' },
  remoteTitle: { zh: '讲解遥控', en: 'Presenter remote' },
  groupCode: { zh: '组代码', en: 'Group code' },
  pin: { zh: '讲解人 PIN', en: 'Presenter PIN' },
  yourName: { zh: '您的名字', en: 'Your name' },
  join: { zh: '加入', en: 'Join' },
  next: { zh: '下一步', en: 'Next' },
  back: { zh: '上一步', en: 'Back' },
  blank: { zh: '黑屏', en: 'Blank' },
  unblank: { zh: '取消黑屏', en: 'Unblank' },
  toAttract: { zh: '回到轮播', en: 'Back to the attract loop' },
  inControl: { zh: '控制者', en: 'In control' },
  you: { zh: '您', en: 'you' },
  nobody: { zh: '无人', en: 'nobody' },
  takeControl: { zh: '接管控制', en: 'Take control' },
  handTo: { zh: '移交给', en: 'Hand over to' },
  metric: { zh: '指标', en: 'Metric' },
  language: { zh: '语言', en: 'Language' },
  story: { zh: '故事', en: 'Story' },
  notes: { zh: '讲解提示', en: 'Notes' },
  onWall: { zh: '屏幕上', en: 'On the wall' },
  screens: { zh: '讲解人', en: 'Presenters' },
  leave: { zh: '离开', en: 'Leave' },
};

export const REFUSAL: Record<BriefingRefusal, Bilingual> = {
  'control-off': { zh: '此服务器未开启讲解控制：请以 PRESENTER_PIN 环境变量启动服务器。', en: 'Presenter control is off on this server: start it with PRESENTER_PIN set.' },
  'wrong-pin': { zh: 'PIN 不正确', en: 'Wrong PIN' },
  throttled: { zh: '错误次数过多，请稍后再试', en: 'Too many wrong PINs; try again later' },
  'not-joined': { zh: '请先用 PIN 加入', en: 'Join with the PIN first' },
  'not-controller': { zh: '您没有控制权', en: 'You do not hold control' },
  invalid: { zh: '请求无效', en: 'Invalid request' },
  'unknown-story': { zh: '没有这个故事', en: 'No such story' },
  busy: { zh: '控制权在别人手中，请对方移交', en: 'Someone else holds control; ask them to hand it over' },
  unavailable: { zh: '服务器暂时无法读取讲解组状态，未作任何更改，请重试', en: "The server cannot reach the group's state right now; nothing changed, try again" },
};
