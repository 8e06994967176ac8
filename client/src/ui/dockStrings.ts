/** Strings of the explorer's tool dock (tabs, 24 h cluster figures, "save this view as a step"), in both languages. */
export const DK = {
  tools: { zh: '规划工具', en: "Planner's tools" },
  openTools: { zh: '打开规划工具', en: "Open the planner's tools" },
  closeTools: { zh: '收起规划工具', en: "Close the planner's tools" },
  tabs: {
    search: { zh: '搜索', en: 'Search' },
    clusters: { zh: '片区', en: 'Clusters' },
    filters: { zh: '筛选', en: 'Filters' },
    alerts: { zh: '告警', en: 'Alerts' },
    capacity: { zh: '容量', en: 'Capacity' },
    export: { zh: '导出', en: 'Export' },
  },

  // 24 h figures of a cluster
  last24h: { zh: '过去 24 小时', en: 'Last 24 hours' },
  mean: { zh: '平均', en: 'mean' },
  min: { zh: '最低', en: 'min' },
  max: { zh: '最高', en: 'max' },
  loading: { zh: '加载中…', en: 'Loading…' },
  noHistory: { zh: '这段时间没有记录', en: 'No record in this period' },
  historyFailed: { zh: '历史数据读取失败', en: 'History could not be read' },
  historySource: {
    simulated: { zh: '模拟数据', en: 'simulated' },
    ingest: { zh: '含实测数据', en: 'includes measured readings' },
  },
  weighting: {
    capacityPeople: { zh: '按设计容量加权', en: 'weighted by capacity' },
    allocatedPflops: { zh: '按已分配算力加权', en: 'weighted by allocated compute' },
  },

  // legend
  filterOn: { zh: '筛选中', en: 'Filter on' },
  filterMatches: { zh: '栋匹配，其余变暗', en: 'match; the rest are dimmed' },
  focusOn: { zh: '聚焦', en: 'Focus' },
  focusRest: { zh: '其他片区已淡化', en: 'other clusters faded' },
  alertMark: { zh: '触发告警规则', en: 'Matches an alert rule' },

  // save the view as a story step
  saveStep: { zh: '将当前视图存为故事步骤', en: 'Save this view as a story step' },
  stepId: { zh: '步骤编号（小写字母、数字、连字符）', en: 'Step id (lower-case letters, digits, dashes)' },
  stepTitleZh: { zh: '标题（中文）', en: 'Title (Chinese)' },
  stepTitleEn: { zh: '标题（英文）', en: 'Title (English)' },
  stepTextZh: { zh: '正文（中文）', en: 'Text (Chinese)' },
  stepTextEn: { zh: '正文（英文）', en: 'Text (English)' },
  stepNote: {
    zh: '下载的 JSON 可粘贴进 data/stories/*.json 的 steps；包含相机、指标、选择、筛选、时间与对比，不含语言与告警。',
    en: 'Paste the downloaded JSON into the steps of data/stories/*.json. It holds camera, metric, selection, filters, time and compare; not language or alerts.',
  },
  downloadStep: { zh: '下载步骤 JSON', en: 'Download step JSON' },
  stepSaved: { zh: '已下载', en: 'Downloaded' },
  stepInvalid: { zh: '无法保存', en: 'Cannot save' },
} as const;
