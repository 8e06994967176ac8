/** The planner's tools' strings, in both languages (kept apart from strings.ts so the tools can grow on their own). */
import type { Bilingual, BuildingUse, Industry } from '@models/district.ts';

export const TT = {
  // search
  search: { zh: '搜索', en: 'Search' },
  searchPlaceholder: { zh: '搜索楼宇、企业、片区（/）', en: 'Search buildings, companies, clusters (/)' },
  searchHint: { zh: '中文、英文或拼音均可', en: 'Chinese, English or pinyin' },
  noResults: { zh: '没有匹配结果', en: 'No matches' },
  kind: {
    building: { zh: '楼宇', en: 'Building' },
    company: { zh: '企业', en: 'Company' },
    cluster: { zh: '片区', en: 'Cluster' },
  },

  // filters
  filters: { zh: '筛选', en: 'Filters' },
  clusters: { zh: '片区', en: 'Clusters' },
  uses: { zh: '用途', en: 'Use' },
  industries: { zh: '入驻企业行业', en: "Tenants' industry" },
  hasModels: { zh: '有已备案大模型', en: 'Has registered models' },
  valueRange: { zh: '当前指标取值范围', en: 'Value range of the current metric' },
  rangeMin: { zh: '最小值', en: 'Minimum' },
  rangeMax: { zh: '最大值', en: 'Maximum' },
  clearFilters: { zh: '清除筛选', en: 'Clear filters' },
  buildingsMatch: { zh: '栋匹配', en: 'buildings match' },

  // alerts
  alerts: { zh: '告警规则', en: 'Alert rules' },
  addRule: { zh: '添加规则', en: 'Add rule' },
  removeRule: { zh: '删除规则', en: 'Remove rule' },
  metric: { zh: '指标', en: 'Metric' },
  above: { zh: '高于', en: 'above' },
  below: { zh: '低于', en: 'below' },
  threshold: { zh: '阈值（%）', en: 'Threshold (%)' },
  forMinutes: { zh: '持续（分钟）', en: 'For (minutes)' },
  inCluster: { zh: '范围', en: 'Where' },
  wholeDistrict: { zh: '全区', en: 'Whole district' },
  noRules: { zh: '尚无规则', en: 'No rules yet' },
  matching: { zh: '触发中的楼宇', en: 'Buildings matching' },
  noMatches: { zh: '目前没有楼宇触发', en: 'No building matches now' },
  since: { zh: '起始', en: 'since' },
  rulesFull: { zh: '最多 20 条规则', en: 'At most 20 rules' },

  // clusters
  clusterPanel: { zh: '片区概况', en: 'Clusters' },
  compareClusters: { zh: '六大片区对比', en: 'The six clusters compared' },
  district: { zh: '全区', en: 'District' },
  buildings: { zh: '楼宇', en: 'Buildings' },
  floorArea: { zh: '建筑面积', en: 'Floor area' },
  capacity: { zh: '设计容量', en: 'Capacity' },
  companies: { zh: '企业', en: 'Companies' },
  headcount: { zh: '员工', en: 'Headcount' },
  registeredModels: { zh: '已备案大模型', en: 'Registered models' },
  occupancyNow: { zh: '当前占用率', en: 'Occupancy now' },
  computeNow: { zh: '当前算力负载', en: 'Compute load now' },
  coverage: { zh: '有实时数据的容量占比', en: 'share of capacity with a live value' },
  weightedNote: {
    zh: '占用率按设计容量加权，算力负载按已分配算力加权；无实时数据的楼宇不计入。',
    en: 'Occupancy is weighted by capacity, compute load by allocated compute; buildings without a live value are left out.',
  },
  noLiveValue: { zh: '无实时数据', en: 'No live value' },
  people: { zh: '人', en: 'people' },

  // capacity finder
  capacityFinder: { zh: '寻找办公空间', en: 'Find space' },
  teamSize: { zh: '团队人数', en: 'Team size' },
  withinClusters: { zh: '限定片区（可选）', en: 'Within clusters (optional)' },
  find: { zh: '查找', en: 'Find' },
  finding: { zh: '查找中…', en: 'Searching…' },
  capacityBasis: {
    zh: '空余 = 设计容量 − 近 7 天占用人数的第 90 百分位',
    en: 'Free = capacity − the 90th percentile of people in the building over the last 7 days',
  },
  free: { zh: '空余', en: 'Free' },
  peak: { zh: '常见峰值', en: 'Usual peak' },
  fits: { zh: '可容纳', en: 'fits' },
  tooSmall: { zh: '不足', en: 'too small' },
  noRoom: { zh: '没有空余足够的楼宇', en: 'No building has room for the team' },
  freeCompute: { zh: '九家供应商算力池空余', en: "Free compute in the nine suppliers' pools" },
  supplier: { zh: '供应商', en: 'Supplier' },
  requestFailed: { zh: '请求失败', en: 'Request failed' },
  generatedAt: { zh: '计算时间', en: 'Computed at' },

  // export
  export: { zh: '导出与分享', en: 'Export and share' },
  csvSelection: { zh: '导出所选 CSV', en: 'CSV of the selection' },
  csvFiltered: { zh: '导出筛选结果 CSV', en: 'CSV of the filtered buildings' },
  csvCluster: { zh: '导出片区 CSV', en: 'CSV of the cluster' },
  csvAll: { zh: '导出全部楼宇 CSV', en: 'CSV of all buildings' },
  png: { zh: '保存视图 PNG', en: 'Save the view as PNG' },
  copyLink: { zh: '复制链接', en: 'Copy link' },
  copied: { zh: '链接已复制', en: 'Link copied' },
  copyFailed: { zh: '无法访问剪贴板，请手动复制下方链接', en: 'The clipboard is not available: copy the link below' },
  saved: { zh: '已保存', en: 'Saved' },
  pngFailed: { zh: '无法保存图像', en: 'Could not save the image' },
  rows: { zh: '行', en: 'rows' },

  // sources
  source: {
    simulated: { zh: '模拟', en: 'simulated' },
    ingest: { zh: '实时接入', en: 'live feed' },
    mixed: { zh: '模拟与实时混合', en: 'simulated and live feed' },
  },
  close: { zh: '关闭', en: 'Close' },
  total: { zh: '合计', en: 'Total' },
  link: { zh: '当前视图链接', en: 'Link to this view' },
} satisfies Record<string, Bilingual | Record<string, Bilingual>>;

export const USE_LABELS: Record<BuildingUse, Bilingual> = {
  office: { zh: '办公', en: 'Office' },
  lab: { zh: '实验室', en: 'Lab' },
  culture: { zh: '文化', en: 'Culture' },
  hotel: { zh: '酒店', en: 'Hotel' },
  retail: { zh: '商业', en: 'Retail' },
  residential: { zh: '住宅', en: 'Residential' },
};

export const INDUSTRY_LABELS: Record<Industry, Bilingual> = {
  'foundation-models': { zh: '基础大模型', en: 'Foundation models' },
  'ai-applications': { zh: 'AI 应用', en: 'AI applications' },
  compute: { zh: '算力', en: 'Compute' },
  'data-services': { zh: '数据服务', en: 'Data services' },
  research: { zh: '科研', en: 'Research' },
  media: { zh: '传媒', en: 'Media' },
  finance: { zh: '金融', en: 'Finance' },
  'life-science': { zh: '生命科学', en: 'Life science' },
  culture: { zh: '文化', en: 'Culture' },
  hospitality: { zh: '酒店服务', en: 'Hospitality' },
  retail: { zh: '零售', en: 'Retail' },
  services: { zh: '综合服务', en: 'Services' },
};

/** "中文 · English" with the chosen language first: for labels read by mixed rooms and by screen readers. */
export function both(text: Bilingual, lang: 'zh' | 'en'): string {
  return lang === 'zh' ? `${text.zh} · ${text.en}` : `${text.en} · ${text.zh}`;
}
