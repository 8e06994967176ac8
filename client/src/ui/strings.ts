/** Every UI string, in both languages (the display shows the chosen one first, the other underneath). */
import type { Bilingual } from '@models/district.ts';

export const T = {
  title: { zh: '徐汇滨江', en: 'West Bund Twin' },
  subtitle: { zh: '西岸人工智能集聚区 · 数字孪生', en: 'Xuhui Riverside AI district · digital twin' },
  metric: { zh: '指标', en: 'Metric' },
  legend: { zh: '图例', en: 'Legend' },
  dataTime: { zh: '数据时间', en: 'Data time' },
  waitingForData: { zh: '等待数据', en: 'Waiting for data' },
  companyRecords: { zh: '企业登记数据（非实时）', en: 'Company records (not live)' },
  stale: { zh: '无实时数据', en: 'No fresh data' },
  simulated: { zh: '模拟数据', en: 'Simulated data' },
  resetView: { zh: '复位视角', en: 'Reset view' },
  northUp: { zh: '正北朝上', en: 'North up' },
  language: { zh: '语言', en: 'Language' },
  loading: { zh: '正在加载数字孪生', en: 'Loading the twin' },
  retrying: { zh: '无法连接服务器，正在重试', en: 'Cannot reach the server, retrying' },
  status: {
    connecting: { zh: '连接中', en: 'Connecting' },
    live: { zh: '实时', en: 'Live' },
    reconnecting: { zh: '重新连接中', en: 'Reconnecting' },
    offline: { zh: '离线', en: 'Offline' },
  },
  delayed: { zh: '数据延迟', en: 'Data delayed' },
  sourceSimulated: { zh: '来源：模拟', en: 'source: simulated' },
  sourceIngest: { zh: '来源：实时接入', en: 'source: live feed' },
  sourceCompanies: { zh: '来源：企业数据', en: 'source: company records' },
  staff: { zh: '名员工', en: 'staff' },
  noFrameYet: { zh: '尚无数据', en: 'no data yet' },
  lastFrame: { zh: '最新数据', en: 'last data' },
  simulatedClock: { zh: '模拟时钟', en: 'simulated clock' },
  controlsHint: {
    zh: '拖动平移 · 右键旋转 · 滚轮缩放',
    en: 'Drag to pan · right-drag to rotate · scroll to zoom',
  },
} satisfies Record<string, Bilingual | Record<string, Bilingual>>;
