/**
 * Deterministic generator for the district data set: writes `district.json`, `companies.json` and `suppliers.json`
 * next to this file. Run with `npx tsx data/generate.ts` (or `npm run data:generate`).
 *
 * Facts come from /work/shared/district-facts.md (copied into the records' `source` strings); everything else is
 * synthetic and says so. Randomness comes from an inline seeded PRNG (mulberry32), so every run writes the same bytes.
 *
 * Geometry is built in a local metric frame around the origin — x = east, y = north (metres) — and converted to
 * WGS-84 `[lon, lat]` with `unproject` from models/geo.ts at the end (which uses z = −y).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CompaniesFile,
  DATA_FILES,
  DistrictFile,
  SuppliersFile,
  type Bilingual,
  type Bridge,
  type Building,
  type ContextArea,
  type BuildingUse,
  type Cluster,
  type ClusterTheme,
  type Company,
  type Confidence,
  type Industry,
  type LngLat,
  type Road,
  type Supplier,
  type Water,
} from '../models/district.ts';
import { M_PER_DEG_LAT, M_PER_DEG_LON, ringAreaM2, unproject, type Origin } from '../models/geo.ts';
import { checkDistrictConsistency } from '../models/district.validate.ts';
import { MOSU_FILE, MosuFile, checkMosuConsistency, type ChainRole } from '../models/mosu.ts';
import { mulberry32 } from '../models/random.ts';
import { FactsFile } from '../models/story.ts';

// ───────────────────────────── PRNG ─────────────────────────────

const SEED = 0x57b2_2024;
const rand = mulberry32(SEED);
const between = (a: number, b: number): number => a + (b - a) * rand();
const intBetween = (a: number, b: number): number => Math.min(b, Math.floor(between(a, b + 1)));
function pickWeighted<T>(items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let r = rand() * total;
  for (const [v, w] of items) {
    r -= w;
    if (r < 0) return v;
  }
  return items[items.length - 1]![0];
}

// ───────────────────────────── frame and geometry ─────────────────────────────

type P = [number, number]; // local metres, x east, y north

const ORIGIN: Origin = { lat: 31.17, lon: 121.46 };
const round = (v: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};
const fromLatLon = (lat: number, lon: number): P => [(lon - ORIGIN.lon) * M_PER_DEG_LON, (lat - ORIGIN.lat) * M_PER_DEG_LAT];
const toLngLat = (p: P): LngLat => {
  const [lon, lat] = unproject(ORIGIN, p[0], -p[1]);
  return [round(lon, 7), round(lat, 7)];
};
const ring = (poly: readonly P[]): LngLat[] => poly.map(toLngLat);

function signedArea(poly: readonly P[]): number {
  let s = 0;
  for (let i = 0; i < poly.length; i++) {
    const a = poly[i]!;
    const b = poly[(i + 1) % poly.length]!;
    s += a[0] * b[1] - b[0] * a[1];
  }
  return s / 2;
}
/** Counter-clockwise on the map (positive `ringAreaM2`). */
const ccw = (poly: P[]): P[] => (signedArea(poly) < 0 ? [...poly].reverse() : poly);

function pointInPoly(p: P, poly: readonly P[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
function pointSegDist(p: P, a: P, b: P): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const l2 = dx * dx + dy * dy;
  const t = l2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}
const cross = (o: P, a: P, b: P): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
function segmentsCross(a: P, b: P, c: P, d: P): boolean {
  const d1 = cross(c, d, a);
  const d2 = cross(c, d, b);
  const d3 = cross(a, b, c);
  const d4 = cross(a, b, d);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}
function segSegDist(a: P, b: P, c: P, d: P): number {
  if (segmentsCross(a, b, c, d)) return 0;
  return Math.min(pointSegDist(a, c, d), pointSegDist(b, c, d), pointSegDist(c, a, b), pointSegDist(d, a, b));
}
function edges(poly: readonly P[], closed = true): [P, P][] {
  const out: [P, P][] = [];
  const n = closed ? poly.length : poly.length - 1;
  for (let i = 0; i < n; i++) out.push([poly[i]!, poly[(i + 1) % poly.length]!]);
  return out;
}
/** Smallest distance between two shapes' outlines (closed polygons or open lines). */
function outlineDist(a: readonly P[], aClosed: boolean, b: readonly P[], bClosed: boolean): number {
  let m = Infinity;
  for (const [p, q] of edges(a, aClosed)) for (const [r, s] of edges(b, bClosed)) m = Math.min(m, segSegDist(p, q, r, s));
  return m;
}
/** 0 when the polygons touch or overlap, else the gap between them. */
function polyPolyDist(a: readonly P[], b: readonly P[]): number {
  if (a.some((p) => pointInPoly(p, b)) || b.some((p) => pointInPoly(p, a))) return 0;
  return outlineDist(a, true, b, true);
}
function polyLineDist(poly: readonly P[], line: readonly P[]): number {
  if (line.some((p) => pointInPoly(p, poly))) return 0;
  return outlineDist(poly, true, line, false);
}
/** Inside `outer` with at least `margin` metres to its outline. */
function insideWithMargin(poly: readonly P[], outer: readonly P[], margin: number): boolean {
  if (!poly.every((p) => pointInPoly(p, outer))) return false;
  return outlineDist(poly, true, outer, true) >= margin;
}
const centreOf = (poly: readonly P[]): P => [
  poly.reduce((s, p) => s + p[0], 0) / poly.length,
  poly.reduce((s, p) => s + p[1], 0) / poly.length,
];
const radiusOf = (poly: readonly P[], c: P): number => Math.max(...poly.map((p) => Math.hypot(p[0] - c[0], p[1] - c[1])));

/** Linear interpolation of x along a polyline that is monotonic in y. */
function xAtY(line: readonly P[], y: number): number {
  for (let i = 0; i < line.length - 1; i++) {
    const [x0, y0] = line[i]!;
    const [x1, y1] = line[i + 1]!;
    if ((y <= y0 && y >= y1) || (y >= y0 && y <= y1)) return y0 === y1 ? x0 : x0 + ((y - y0) / (y1 - y0)) * (x1 - x0);
  }
  throw new Error(`y ${y} is outside the polyline`);
}

// ───────────────────────────── geography ─────────────────────────────

/** Shoreline anchor points (district-facts.md, WGS-84). */
const ANCHOR = {
  lupuBridge: fromLatLon(31.1906, 121.4758),
  startMuseum: fromLatLon(31.1897, 121.4657),
  longMuseum: fromLatLon(31.1859, 121.4602),
  artMuseum: fromLatLon(31.1696, 121.4593),
  tankShanghai: fromLatLon(31.1666, 121.4594),
  xupuBridge: fromLatLon(31.1292, 121.4642),
};

/**
 * The Xuhui bank, from east of Lupu Bridge (river running W→E, Xuhui on the north side) round the bend at the Long
 * Museum and then nearly north–south at ≈121.4605–121.4635 E past Xupu Bridge. Chosen so that the museum anchor
 * points sit 95–125 m inland and the Lupu/Xupu Bridge points lie in the river.
 */
const XUHUI_BANK: P[] = [
  [1950, 2570], [1500, 2510], [1150, 2400], [880, 2260],
  [720, 2170], // 日晖港 mouth (west side)
  [570, 2070], [420, 1975], [265, 1875], [135, 1740], [95, 1550], [75, 1250], [62, 900], [55, 500], [50, 100],
  [45, -250], [60, -700], [95, -1200], [135, -1800], [175, -2400], [200, -2900], [190, -3600], [160, -4530], [165, -5000],
];
/** The Pudong bank, 440–560 m across. */
const PUDONG_BANK: P[] = [
  [1950, 2110], [1500, 2060], [1150, 1930], [900, 1770], [760, 1625], [660, 1520], [600, 1430], [578, 1250],
  [568, 900], [560, 500], [555, 100], [555, -250], [570, -700], [600, -1200], [635, -1800], [680, -2400],
  [700, -2900], [690, -3600], [650, -4530], [655, -5000],
];
/** The part of the Xuhui bank that bounds the district (monotonic in y, north → south). */
const BANK_S = XUHUI_BANK.slice(4);
/** 日晖港: west and east banks, from the mouth inland. */
const CREEK_W: P[] = [[720, 2170], [690, 2350], [650, 2550], [610, 2750]];
const CREEK_E: P[] = [[775, 2201], [740, 2355], [700, 2555], [660, 2760]];

const Y_NORTH = 2550; // boundary's north edge meets 日晖港 here
const Y_SOUTH = fromLatLon(31.145, 121.46)[1]; // 关港, ≈31.145 N
/** Inland edge (Wanping S Rd → Longhua Rd → Longwu Rd), north → south. Widths tuned so the outline is ≈9.4 km². */
const INLAND: P[] = [
  [-1730, 2560], [-1760, 1800], [-1690, 1400], [-1650, 400], [-1560, -300], [-1510, -1500], [-1490, Y_SOUTH],
];

/** x of the district's river/creek edge at y. */
const xEast = (y: number): number => (y > CREEK_W[0]![1] ? xAtY(CREEK_W, y) : xAtY(BANK_S, y));
const xInland = (y: number): number => xAtY(INLAND, y);
/** Bank direction at y (unit vector pointing north along the bank/creek). */
function bankDir(y: number): P {
  const line = y > CREEK_W[0]![1] ? [...CREEK_W].reverse() : BANK_S;
  for (let i = 0; i < line.length - 1; i++) {
    const a = line[i]!;
    const b = line[i + 1]!;
    if (y <= Math.max(a[1], b[1]) && y >= Math.min(a[1], b[1])) {
      const [n, s] = a[1] > b[1] ? [a, b] : [b, a];
      const len = Math.hypot(n[0] - s[0], n[1] - s[1]);
      return [(n[0] - s[0]) / len, (n[1] - s[1]) / len];
    }
  }
  return [0, 1];
}
const BREAK_YS = [...BANK_S, ...CREEK_W, ...INLAND].map((p) => p[1]);

const boundaryPoly: P[] = ccw([
  [INLAND[0]![0], INLAND[0]![1]],
  [xEast(Y_NORTH), Y_NORTH],
  ...CREEK_W.filter((p) => p[1] < Y_NORTH).reverse(),
  ...BANK_S.slice(1).filter((p) => p[1] > Y_SOUTH),
  [xEast(Y_SOUTH), Y_SOUTH],
  ...[...INLAND].reverse().slice(0, -1),
]);
// The river polygon: Xuhui bank north→south, then the Pudong bank back north.
// The Huangpu goes on past both ends of the strip: north-east beyond Lupu Bridge towards the Expo reach, south beyond
// Xupu Bridge. Only the river polygon is extended; the district's bank (XUHUI_BANK) is unchanged.
const RIVER_NORTH_X: P[] = [[3600, 2700], [2700, 2620]];
const RIVER_NORTH_P: P[] = [[2700, 2160], [3600, 2240]];
const RIVER_SOUTH_X: P[] = [[175, -5800], [150, -6600]];
const RIVER_SOUTH_P: P[] = [[640, -6600], [665, -5800]];
const riverPoly: P[] = ccw([...RIVER_NORTH_X, ...XUHUI_BANK, ...RIVER_SOUTH_X, ...RIVER_SOUTH_P, ...[...PUDONG_BANK].reverse(), ...RIVER_NORTH_P]);
/** The Pudong bank as low context: land east and south of the far bank. */
const pudongLand: P[] = ccw([...RIVER_NORTH_P.slice().reverse(), ...PUDONG_BANK, ...RIVER_SOUTH_P.slice().reverse(), [3600, -6600]]);
const creekPoly: P[] = ccw([...CREEK_W, ...[...CREEK_E].reverse(), [752, 2150]]);
const WATER_POLYS = [riverPoly, creekPoly];

// Roads
interface RoadDraft {
  id: string;
  name: Bilingual;
  line: P[];
  widthM: number;
  source: string;
}
function ysBetween(yN: number, yS: number, extra: number[] = []): number[] {
  const ys = new Set<number>([yN, yS, ...extra.filter((y) => y < yN && y > yS), ...BREAK_YS.filter((y) => y < yN && y > yS)]);
  return [...ys].sort((a, b) => b - a);
}
/** Longteng Avenue: ≈190 m (horizontally) inland of the bank, ≈240 m round the bend (≈165 m measured square to the bank). */
const longtengOffset = (y: number): number => (y >= 1550 ? 240 : y <= 1250 ? 190 : 190 + ((y - 1250) / 300) * 50);
const xLongteng = (y: number): number => xEast(y) - longtengOffset(y);
const xYunjin = (y: number): number => xEast(y) - 650;
const ROAD_SRC = 'alignment approximated from district-facts.md (maps); position not surveyed — approximate';
const crossStreet = (id: string, zh: string, en: string, y: number, eastX = xLongteng(y)): RoadDraft => ({
  id,
  name: { zh, en },
  line: [
    [xInland(y) + 25, y],
    [eastX, y],
  ],
  widthM: 20,
  source: `${ROAD_SRC}; cross street placed by data/generate.ts at the stated part of the district`,
});
const roadDrafts: RoadDraft[] = [
  {
    id: 'longteng-avenue',
    name: { zh: '龙腾大道', en: 'Longteng Avenue' },
    line: ysBetween(2080, Y_SOUTH + 20, [1550, 1250]).map((y): P => [xLongteng(y), y]),
    widthM: 30,
    source: `${ROAD_SRC}; runs along the river ≈100–200 m inland`,
  },
  {
    id: 'yunjin-road',
    name: { zh: '云锦路', en: 'Yunjin Road' },
    line: ysBetween(1500, Y_SOUTH + 20).map((y): P => [xYunjin(y), y]),
    widthM: 24,
    source: `${ROAD_SRC}; parallel to Longteng Avenue, ≈460 m further inland`,
  },
  {
    id: 'wanping-south-road',
    name: { zh: '宛平南路', en: 'Wanping South Road' },
    line: ysBetween(Y_NORTH, 1700).map((y): P => [xInland(y) + 25, y]),
    widthM: 24,
    source: `${ROAD_SRC}; western edge of the district (facts: Wanping, Longhua and Longwu roads on the west)`,
  },
  {
    id: 'longhua-road',
    name: { zh: '龙华路', en: 'Longhua Road' },
    line: ysBetween(1700, 0).map((y): P => [xInland(y) + 25, y]),
    widthM: 24,
    source: `${ROAD_SRC}; western edge of the district (facts: Wanping, Longhua and Longwu roads on the west)`,
  },
  {
    id: 'longwu-road',
    name: { zh: '龙吴路', en: 'Longwu Road' },
    line: ysBetween(0, Y_SOUTH + 20).map((y): P => [xInland(y) + 25, y]),
    widthM: 28,
    source: `${ROAD_SRC}; western edge of the district (facts: Wanping, Longhua and Longwu roads on the west)`,
  },
  crossStreet('ruining-road', '瑞宁路', 'Ruining Road', 2265, xEast(2265) - 12),
  crossStreet('longhua-middle-road', '龙华中路', 'Longhua Middle Road', 1600),
  crossStreet('longwen-road', '龙文路', 'Longwen Road', 1185),
  crossStreet('longyao-road', '龙耀路', 'Longyao Road', 880),
  crossStreet('longqi-road', '龙启路', 'Longqi Road', -900),
];

// ───────────────────────────── clusters ─────────────────────────────

type ClusterId = 'financial-city' | 'media-port' | 'digital-intelligence-center' | 'digital-valley' | 'show-stage' | 'life-science-bay';

function bandZone(yN: number, yS: number, west: (y: number) => number, east: (y: number) => number): P[] {
  const ys = ysBetween(yN, yS);
  return ccw([...ys.map((y): P => [east(y), y]), ...[...ys].reverse().map((y): P => [west(y), y])]);
}
const INSET_RIVER = 35;
const ZONES: Record<ClusterId, P[]> = {
  'financial-city': bandZone(2480, 1330, (y) => xEast(y) - 420, (y) => xEast(y) - INSET_RIVER),
  'media-port': bandZone(1300, 570, (y) => xEast(y) - 1100, (y) => xEast(y) - INSET_RIVER),
  'digital-intelligence-center': bandZone(530, -170, (y) => xYunjin(y) + 20, (y) => xEast(y) - INSET_RIVER),
  'digital-valley': bandZone(530, -1350, (y) => xInland(y) + 60, (y) => xYunjin(y) - 20),
  'show-stage': bandZone(-230, -1450, (y) => xYunjin(y) + 20, (y) => xEast(y) - INSET_RIVER),
  'life-science-bay': bandZone(-1520, Y_SOUTH + 40, (y) => xInland(y) + 60, (y) => xEast(y) - INSET_RIVER),
};

interface ClusterMeta {
  id: ClusterId;
  prefix: string;
  name: Bilingual;
  theme: ClusterTheme;
  colour: string;
  summary: Bilingual;
  source: string;
  labelY: number;
}
const CLUSTER_SRC =
  'district-facts.md, six clusters table (westbund.com, the seed article, public reporting); zone outline drawn by data/generate.ts at the stated location';
const CLUSTERS: ClusterMeta[] = [
  {
    id: 'financial-city',
    prefix: 'fc',
    name: { zh: '西岸金融城', en: 'West Bund Financial City' },
    theme: 'finance',
    colour: '#b39e72',
    labelY: 1900,
    summary: {
      zh: '西岸金融城（置地“Westbund Central”）位于北端日晖港、瑞宁路一带，占地23.1公顷、28个地块、沿江约1.2公里，规划建筑面积110万至180万平方米（来源不一）。',
      en: "West Bund Financial City (Hongkong Land's “Westbund Central”) lies at the northern end near Rihui Port and Ruining Road: 23.1 ha on 28 plots, about 1.2 km of riverbank and 1.1–1.8 million m² of planned floor area (sources disagree).",
    },
    source: `${CLUSTER_SRC} (northern end, near 日晖港 and 瑞宁路: approximate)`,
  },
  {
    id: 'media-port',
    prefix: 'mp',
    name: { zh: '西岸传媒港', en: 'West Bund Media Port' },
    theme: 'media',
    colour: '#8f7aa3',
    labelY: 1060,
    summary: {
      zh: '西岸传媒港是龙耀路、云锦路一带的九宫格街坊，有上海国际传媒港（总台长三角总部，26.5万平方米）、芒果Hub（79,692平方米）和模速空间，入驻腾讯、湖南芒果和总台。',
      en: 'West Bund Media Port, a nine-block grid around Longyao and Yunjin roads, holds the Shanghai International Media Port (CMG Yangtze Delta HQ, 265,000 m²), Mangoo Hub (79,692 m²) and 模速空间, with Tencent, Hunan Mango and CMG as tenants.',
    },
    source: `${CLUSTER_SRC} (around Longyao Rd / Yunjin Rd, centre-north: approximate)`,
  },
  {
    id: 'digital-intelligence-center',
    prefix: 'dic',
    name: { zh: '西岸数智中心', en: 'West Bund Digital-Intelligence Center' },
    theme: 'digital-intelligence',
    colour: '#6a9e94',
    labelY: 300,
    summary: {
      zh: '西岸数智中心位于龙华街道滨江核心区，2024年2月在六个地块开工，开发商为中海地产，入驻浦江实验室。',
      en: 'West Bund Digital-Intelligence Center, on the waterfront core in Longhua subdistrict, started construction on six plots in February 2024 (developer China Overseas Land) and hosts Pujiang Lab.',
    },
    source: `${CLUSTER_SRC} (waterfront core: approximate); the English name is this project's rendering of 西岸数智中心`,
  },
  {
    id: 'digital-valley',
    prefix: 'dv',
    name: { zh: '西岸数字谷', en: 'West Bund Digital Valley' },
    theme: 'ai',
    colour: '#6b8fb0',
    labelY: -500,
    summary: {
      zh: '西岸数字谷（原“智慧谷”）约120万平方米，位于原龙华机场云锦路700/701号西岸智塔一带，入驻微软亚洲研究院（上海）、阿里巴巴、华为、明略科技、期智研究院和联影。',
      en: 'West Bund Digital Valley (earlier “AI Valley”), about 1.2 million m² around the West Bund AI Tower on the former Longhua airfield at Yunjin Rd 700/701, hosts Microsoft Research Asia (Shanghai), Alibaba, Huawei, Mininglamp, Shanghai Qi Zhi Institute and United Imaging.',
    },
    source: `${CLUSTER_SRC} (around the AI Tower, Yunjin Rd 700/701: approximate)`,
  },
  {
    id: 'show-stage',
    prefix: 'ss',
    name: { zh: '西岸热力秀场', en: 'West Bund Show Stage' },
    theme: 'shows',
    colour: '#b3826f',
    labelY: -800,
    summary: {
      zh: '西岸热力秀场是西岸美术馆以南的演艺秀场组团，包括西岸梦中心（GATE M，龙腾大道2266号，16.2万平方米，沿江800米）、西岸穹顶（2500座）和西岸大剧院（1673+208座）。',
      en: '“West Bund Show Stage” (a fair rendering; no English name was found) is the performance cluster south of the West Bund Art Museum, with GATE M West Bund Dream Center (162,000 m², 800 m of river frontage), the West Bund Dome (2,500 seats) and the West Bund Grand Theatre (1,673 + 208 seats).',
    },
    source: `${CLUSTER_SRC} (south of the Art Museum: uncertain); no English name found — "West Bund Show Stage" is a fair rendering`,
  },
  {
    id: 'life-science-bay',
    prefix: 'lsb',
    name: { zh: '西岸生命蓝湾', en: 'West Bund Life Science Bay' },
    theme: 'life-science',
    colour: '#84a374',
    labelY: -2150,
    summary: {
      zh: '西岸生命蓝湾是滨江南端、近关港的生命健康产业组团，未查到更具体的信息。',
      en: '“West Bund Life Science Bay” (a fair rendering; no English name was found) is the life-and-health cluster at the southern end toward Guangang; nothing firmer was found.',
    },
    source: `${CLUSTER_SRC} (southern end toward 关港: uncertain); no English name found — "West Bund Life Science Bay" is a fair rendering`,
  },
];

// ───────────────────────────── buildings ─────────────────────────────

interface Draft {
  id?: string; // landmarks; synthetic ids are assigned after sorting
  cluster: ClusterId;
  poly: P[];
  c: P;
  r: number;
  use: BuildingUse;
  heightM: number;
  floors: number;
  gfaM2: number;
  capacityPeople: number;
  landmark: boolean;
  name?: Bilingual;
  address?: string;
  source: string;
  confidence: Confidence;
}

/** Rectangle of `w` across the bank by `d` along it, centred on `c`, aligned with the bank (turned by `turnDeg`). */
function rectShape(c: P, w: number, d: number, turnDeg = 0, dir: P = bankDir(c[1])): P[] {
  return lShape(c, w, d, 0, 0, turnDeg, dir);
}
/** L-shape: the rectangle minus a corner notch of `cutW`×`cutD`. */
function lShape(c: P, w: number, d: number, cutW: number, cutD: number, turnDeg = 0, dir: P = bankDir(c[1]), flip = 1): P[] {
  const t = (turnDeg * Math.PI) / 180;
  const v: P = [dir[0] * Math.cos(t) - dir[1] * Math.sin(t), dir[0] * Math.sin(t) + dir[1] * Math.cos(t)];
  const u: P = [v[1], -v[0]];
  const at = (a: number, b: number): P => [c[0] + a * flip * u[0] + b * v[0], c[1] + a * flip * u[1] + b * v[1]];
  const W = w / 2;
  const D = d / 2;
  const pts =
    cutW > 0 && cutD > 0
      ? [at(-W, -D), at(W, -D), at(W, D - cutD), at(W - cutW, D - cutD), at(W - cutW, D), at(-W, D)]
      : [at(-W, -D), at(W, -D), at(W, D), at(-W, D)];
  return ccw(pts);
}
function circleShape(c: P, r: number, n = 20): P[] {
  const pts: P[] = [];
  for (let i = 0; i < n; i++) pts.push([c[0] + r * Math.cos((2 * Math.PI * i) / n), c[1] + r * Math.sin((2 * Math.PI * i) / n)]);
  return pts;
}
const footprintArea = (poly: P[]): number => Math.abs(signedArea(poly));

const M_PER_FLOOR: Record<BuildingUse, number> = { office: 4.2, lab: 4.5, hotel: 3.5, residential: 3.1, retail: 5, culture: 6 };
const CAPACITY_RULE: Record<BuildingUse, { perM2: number; text: string }> = {
  office: { perM2: 10, text: 'capacity: 1 person per 10 m² GFA, a typical office planning density — synthetic' },
  lab: { perM2: 10, text: 'capacity: 1 person per 10 m² GFA, a typical office planning density — synthetic' },
  culture: { perM2: 5, text: 'capacity: 1 visitor per 5 m² GFA — synthetic' },
  hotel: { perM2: 40, text: 'capacity: 1 guest per 40 m² GFA — synthetic' },
  residential: { perM2: 35, text: 'capacity: 1 resident per 35 m² GFA — synthetic' },
  retail: { perM2: 5, text: 'capacity: 1 visitor per 5 m² GFA — synthetic' },
};
const floorsFor = (use: BuildingUse, h: number): number => Math.max(1, Math.min(120, Math.round(h / M_PER_FLOOR[use])));
const capacityFor = (use: BuildingUse, gfa: number): number => Math.round(gfa / CAPACITY_RULE[use].perM2);

const drafts: Draft[] = [];
const roadLines = roadDrafts.map((r) => ({ line: r.line, half: r.widthM / 2 }));

function fits(poly: P[], cluster: ClusterId, gap: number, zoneMargin = 6): string | null {
  const c = centreOf(poly);
  const r = radiusOf(poly, c);
  if (!insideWithMargin(poly, ZONES[cluster], zoneMargin)) return 'outside its zone';
  if (!poly.every((p) => pointInPoly(p, boundaryPoly))) return 'outside the boundary';
  for (const w of WATER_POLYS) if (polyPolyDist(poly, w) < 10) return 'in or next to the water';
  for (const road of roadLines) if (polyLineDist(poly, road.line) < road.half + 5) return 'on a road';
  for (const o of drafts) {
    if (Math.hypot(o.c[0] - c[0], o.c[1] - c[1]) > o.r + r + gap) continue;
    if (polyPolyDist(poly, o.poly) < gap) return `too close to ${o.id ?? 'a building'}`;
  }
  return null;
}

function addLandmark(d: Omit<Draft, 'c' | 'r'>): void {
  const problem = fits(d.poly, d.cluster, 8, 4);
  if (problem) throw new Error(`landmark ${d.id}: ${problem}`);
  const c = centreOf(d.poly);
  drafts.push({ ...d, c, r: radiusOf(d.poly, c) });
}

/** Foot of the perpendicular from p to the Xuhui bank, and the unit normal pointing inland. */
function nearestBank(p: P): { foot: P; inland: P; dist: number } {
  let best = { foot: p, inland: [0, 0] as P, dist: Infinity };
  for (const [a, b] of edges(XUHUI_BANK, false)) {
    const dx = b[0] - a[0];
    const dy = b[1] - a[1];
    const l2 = dx * dx + dy * dy;
    const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2));
    const foot: P = [a[0] + t * dx, a[1] + t * dy];
    const dist = Math.hypot(p[0] - foot[0], p[1] - foot[1]);
    if (dist < best.dist) best = { foot, inland: [(p[0] - foot[0]) / dist, (p[1] - foot[1]) / dist], dist };
  }
  return best;
}

const LM = 'district-facts.md';
const PLACED = 'placement approximate (data/generate.ts)';
const SYN_DIMS = 'footprint and height synthetic';

// Financial City — Start Museum, Long Museum and its coal-hopper bridge.
addLandmark({
  id: 'start-museum',
  cluster: 'financial-city',
  poly: rectShape(ANCHOR.startMuseum, 34, 78),
  use: 'culture',
  heightM: 15,
  floors: 3,
  gfaM2: 0,
  capacityPeople: 0,
  landmark: true,
  name: { zh: '星美术馆', en: 'Start Museum' },
  address: '瑞宁路111号',
  source: `${LM}: Start Museum at 31.1897, 121.4657, 瑞宁路111号, near the 日晖港 mouth; ${SYN_DIMS}; cluster membership by location`,
  confidence: 'approximate',
});
{
  const nb = nearestBank(ANCHOR.longMuseum);
  const along: P = [-nb.inland[1], nb.inland[0]];
  const dir: P = along[1] >= 0 ? along : [-along[0], -along[1]];
  addLandmark({
    id: 'long-museum-west-bund',
    cluster: 'financial-city',
    poly: rectShape(ANCHOR.longMuseum, 52, 76, 0, dir),
    use: 'culture',
    heightM: 18,
    floors: 3,
    gfaM2: 0,
    capacityPeople: 0,
    landmark: true,
    name: { zh: '龙美术馆西岸馆', en: 'Long Museum West Bund' },
    address: '龙腾大道3398号',
    source: `${LM}: Long Museum West Bund at 31.1859, 121.4602, 龙腾大道3398号; ${SYN_DIMS}; cluster membership by location`,
    confidence: 'approximate',
  });
  const hopperC: P = [nb.foot[0] + nb.inland[0] * 48, nb.foot[1] + nb.inland[1] * 48];
  addLandmark({
    id: 'long-museum-coal-hopper',
    cluster: 'financial-city',
    poly: rectShape(hopperC, 10, 110, 0, dir),
    use: 'culture',
    heightM: 8,
    floors: 1,
    gfaM2: 0,
    capacityPeople: 0,
    landmark: true,
    name: { zh: '龙美术馆煤漏斗卸载桥', en: 'Long Museum coal-hopper bridge' },
    address: '龙腾大道3398号',
    source: `${LM}: the Long Museum is built on a 1950s coal-hopper bridge of 110 × 10 × 8 m (sourced); placed between the museum and the river — ${PLACED}`,
    confidence: 'sourced',
  });
}

// Media Port — CMG's Shanghai International Media Port (three blocks), Mangoo Hub, 模速空间, Shanghai AI Lab.
{
  const cmg: [P, number, number][] = [
    [[-250, 745], 80, 0],
    [[-445, 745], 60, 0],
    [[-255, 625], 45, 0],
  ];
  const total = 265_000;
  cmg.forEach(([c, h], i) => {
    const floors = floorsFor('office', h);
    const gfa = i < 2 ? Math.round(total / 3) : total - 2 * Math.round(total / 3);
    const side = Math.sqrt(gfa / (floors * 0.9));
    addLandmark({
      id: `media-port-cmg-${i + 1}`,
      cluster: 'media-port',
      poly: rectShape(c, side * 1.1, side / 1.1),
      use: 'office',
      heightM: h,
      floors,
      gfaM2: gfa,
      capacityPeople: capacityFor('office', gfa),
      landmark: true,
      name: {
        zh: `上海国际传媒港（总台长三角总部）${i + 1}号地块`,
        en: `Shanghai International Media Port (CMG Yangtze Delta HQ), block ${i + 1} of 3`,
      },
      source: `${LM}: Shanghai International Media Port, CMG Yangtze Delta HQ, 265,000 m², opened 2019 (sourced total); split evenly over three blocks of the nine-block grid, heights synthetic, footprint = GFA / (floors × 0.9); ${PLACED}; ${CAPACITY_RULE.office.text}`,
      confidence: 'approximate',
    });
  });
  const towers: [P, number, number, boolean][] = [
    [[-255, 965], 100, 21, true],
    [[-255, 1045], 60, 12, true],
    [[-335, 965], 40, floorsFor('office', 40), false],
  ];
  const totalFloors = towers.reduce((s, t) => s + t[2], 0);
  let left = 79_692;
  towers.forEach(([c, h, floors, floorsSourced], i) => {
    const gfa = i === towers.length - 1 ? left : Math.round((79_692 * floors) / totalFloors);
    left -= gfa;
    const side = Math.sqrt(gfa / (floors * 0.9));
    addLandmark({
      id: `mangoo-hub-${i + 1}`,
      cluster: 'media-port',
      poly: rectShape(c, side, side),
      use: 'office',
      heightM: h,
      floors,
      gfaM2: gfa,
      capacityPeople: capacityFor('office', gfa),
      landmark: true,
      name: { zh: `芒果Hub ${i + 1}号楼（${h}米）`, en: `Mangoo Hub tower ${i + 1} (${h} m)` },
      source: `${LM}: Mangoo Hub, 79,692 m², towers 100 m/21 floors, 60 m/12 floors, 40 m (height${floorsSourced ? ' and floors' : ''} sourced${floorsSourced ? '' : '; floors = height / 4.2, synthetic'}); the total is split by floor count; ${PLACED}; ${CAPACITY_RULE.office.text}`,
      confidence: 'sourced',
    });
  });
  {
    const gfa = 20_000;
    const floors = 10;
    const side = Math.sqrt(gfa / (floors * 0.9));
    addLandmark({
      id: 'mosu-space',
      cluster: 'media-port',
      poly: rectShape([-445, 1010], side * 0.75, side / 0.75),
      use: 'office',
      heightM: 45,
      floors,
      gfaM2: gfa,
      capacityPeople: capacityFor('office', gfa),
      landmark: true,
      name: { zh: '模速空间', en: 'ModelSpeed Space (Shanghai Foundation Model Innovation Center)' },
      address: '龙台路180号B栋',
      source: `${LM}: 模速空间, 龙台路180号 Building B in the Media Port (approximate), opened Sept 2023; GFA = the seed's first-phase 20,000 m² of office space (other reports: 10,000 m² at opening, 60,000 m² by 2025); floors and height synthetic; ${PLACED}; ${CAPACITY_RULE.office.text}`,
      confidence: 'approximate',
    });
  }
  {
    const h = 36;
    const floors = floorsFor('office', h);
    const poly = rectShape([-255, 1128], 42, 62);
    const gfa = Math.round(footprintArea(poly) * floors * 0.9);
    addLandmark({
      id: 'shanghai-ai-lab-longwen',
      cluster: 'media-port',
      poly,
      use: 'lab',
      heightM: h,
      floors,
      gfaM2: gfa,
      capacityPeople: capacityFor('lab', gfa),
      landmark: false,
      name: { zh: '上海人工智能实验室（龙文路129号）', en: 'Shanghai AI Laboratory (129 Longwen Road)' },
      address: '龙文路129号',
      source: `${LM}: Shanghai AI Laboratory's present address is in the Media Port, 龙文路129号; ${SYN_DIMS}; GFA = footprint × floors × 0.9; ${PLACED}; ${CAPACITY_RULE.lab.text}`,
      confidence: 'approximate',
    });
  }
}

// Digital-Intelligence Center — West Bund Art Museum.
addLandmark({
  id: 'west-bund-art-museum',
  cluster: 'digital-intelligence-center',
  poly: rectShape(ANCHOR.artMuseum, 50, 84),
  use: 'culture',
  heightM: 20,
  floors: 3,
  gfaM2: 0,
  capacityPeople: 0,
  landmark: true,
  name: { zh: '西岸美术馆', en: 'West Bund Art Museum' },
  address: '龙腾大道2600号',
  source: `${LM}: West Bund Art Museum at 31.1696, 121.4593, 龙腾大道2600号; ${SYN_DIMS}; cluster membership by location (the Show Stage lies south of it)`,
  confidence: 'approximate',
});

// Digital Valley — AI Tower, AI Plaza, Shanghai AI Lab permanent base.
{
  const total = 513_000;
  const towers: [string, string, P, number][] = [
    ['north', '北塔', [-690, 40], 230],
    ['south', '南塔', [-690, -110], 200],
  ];
  const floorsOf = towers.map(([, , , h]) => floorsFor('office', h));
  const sumFloors = floorsOf[0]! + floorsOf[1]!;
  const gfaN = Math.round((total * floorsOf[0]!) / sumFloors);
  towers.forEach(([en, zh, c, h], i) => {
    const floors = floorsOf[i]!;
    const gfa = i === 0 ? gfaN : total - gfaN;
    const side = Math.sqrt(gfa / (floors * 0.9));
    addLandmark({
      id: `ai-tower-${en}`,
      cluster: 'digital-valley',
      poly: rectShape(c, side, side),
      use: 'office',
      heightM: h,
      floors,
      gfaM2: gfa,
      capacityPeople: capacityFor('office', gfa),
      landmark: true,
      name: { zh: `西岸智塔（${zh}）`, en: `West Bund AI Tower (${en})` },
      address: '云锦路700/701号',
      source: `${LM}: West Bund AI Tower (西岸智塔), twin towers ≈200 m and ≈230 m, ≈513,000 m² together, viewing floor at level 45, Yunjin Rd 700/701 on the former Longhua airfield (sourced); which tower is north is not known (assigned here); GFA split by floor count, floors = height / 4.2, footprint = GFA / (floors × 0.9) — derived; ${PLACED}; ${CAPACITY_RULE.office.text}`,
      confidence: 'sourced',
    });
  });
  {
    const gfa = 75_000;
    const floors = 8;
    const area = gfa / (floors * 0.9);
    addLandmark({
      id: 'ai-plaza',
      cluster: 'digital-valley',
      poly: rectShape([-695, 225], 78, area / 78),
      use: 'office',
      heightM: 36,
      floors,
      gfaM2: gfa,
      capacityPeople: capacityFor('office', gfa),
      landmark: true,
      name: { zh: '西岸AI Plaza', en: 'West Bund AI Plaza' },
      source: `${LM}: AI Plaza, 75,000 m², 8 storeys, at Metro Line 11 Yunjin Rd (sourced); height = 8 × 4.5 m and footprint = GFA / (floors × 0.9) — synthetic; ${PLACED}; ${CAPACITY_RULE.office.text}`,
      confidence: 'sourced',
    });
  }
  {
    const gfa = 176_000;
    const floors = 17;
    const area = gfa / (floors * 0.9);
    const y = -800;
    const c: P = [xInland(y) + 25 + 14 + 45 + 41, y];
    addLandmark({
      id: 'shanghai-ai-lab-base',
      cluster: 'digital-valley',
      poly: rectShape(c, 82, area / 82),
      use: 'lab',
      heightM: 98.7,
      floors,
      gfaM2: gfa,
      capacityPeople: capacityFor('lab', gfa),
      landmark: true,
      name: { zh: '上海人工智能实验室永久基地', en: 'Shanghai AI Laboratory permanent base' },
      source: `${LM}: Shanghai AI Lab permanent base, 98.7 m, 17 floors, ≈176,000 m², east of Longwu Rd and north of Longqi Rd (sourced); one footprint stands for the campus, footprint = GFA / (floors × 0.9); ${PLACED}; ${CAPACITY_RULE.lab.text}`,
      confidence: 'sourced',
    });
  }
}

// Show Stage — Tank Shanghai, GATE M, the Dome, the Grand Theatre.
{
  const offsets: [number, number, number][] = [
    [14, 78, 15],
    [-16, 38, 16],
    [12, -4, 14],
    [-16, -44, 16],
    [10, -84, 13],
  ];
  offsets.forEach(([dx, dy, r], i) => {
    const c: P = [ANCHOR.tankShanghai[0] + dx, ANCHOR.tankShanghai[1] + dy];
    const h = 16;
    const poly = circleShape(c, r);
    const gfa = Math.round(footprintArea(poly) * 2 * 0.9);
    addLandmark({
      id: `tank-shanghai-${i + 1}`,
      cluster: 'show-stage',
      poly,
      use: 'culture',
      heightM: h,
      floors: 2,
      gfaM2: gfa,
      capacityPeople: capacityFor('culture', gfa),
      landmark: true,
      name: { zh: `油罐艺术中心 ${i + 1}号罐`, en: `Tank Shanghai, tank ${i + 1}` },
      address: '龙腾大道2380号',
      source: `${LM}: Tank Shanghai at 31.1666, 121.4594, 龙腾大道2380号; the tanks' number, sizes and heights are synthetic; GFA = footprint × 2 floors × 0.9; ${PLACED}; ${CAPACITY_RULE.culture.text}`,
      confidence: 'approximate',
    });
  });
  const blocks = 4;
  const len = 180;
  const gap = (800 - blocks * len) / (blocks - 1);
  const total = 162_000;
  for (let i = 0; i < blocks; i++) {
    const y = -520 - len / 2 - i * (len + gap);
    const c: P = [xEast(y) - 105, y];
    const gfa = total / blocks;
    const floors = Math.round(gfa / (len * 70 * 0.9));
    addLandmark({
      id: `gate-m-${i + 1}`,
      cluster: 'show-stage',
      poly: rectShape(c, 70, len),
      use: 'culture',
      heightM: floors * 6,
      floors,
      gfaM2: gfa,
      capacityPeople: capacityFor('culture', gfa),
      landmark: true,
      name: { zh: `西岸梦中心（GATE M）${i + 1}号楼`, en: `GATE M West Bund Dream Center, block ${i + 1}` },
      address: '龙腾大道2266号',
      source: `${LM}: GATE M West Bund Dream Center, 龙腾大道2266号, former cement factory, 162,000 m², 800 m of river frontage (sourced); drawn as ${blocks} equal blocks along the river, floors and heights synthetic; ${PLACED}; ${CAPACITY_RULE.culture.text}`,
      confidence: 'sourced',
    });
  }
  {
    const poly = circleShape([-350, -600], 45, 24);
    const gfa = Math.round(footprintArea(poly) * 3 * 0.9);
    addLandmark({
      id: 'west-bund-dome',
      cluster: 'show-stage',
      poly,
      use: 'culture',
      heightM: 28,
      floors: 3,
      gfaM2: gfa,
      capacityPeople: 2500,
      landmark: true,
      name: { zh: '西岸穹顶', en: 'West Bund Dome' },
      source: `${LM}: West Bund Dome, 2,500 seats (sourced: capacityPeople = seats); footprint, height and placement inside the Show Stage synthetic`,
      confidence: 'sourced',
    });
  }
  {
    const poly = rectShape([-360, -1010], 80, 110);
    const gfa = Math.round(footprintArea(poly) * 5 * 0.9);
    addLandmark({
      id: 'west-bund-grand-theatre',
      cluster: 'show-stage',
      poly,
      use: 'culture',
      heightM: 35,
      floors: 5,
      gfaM2: gfa,
      capacityPeople: 1673 + 208,
      landmark: true,
      name: { zh: '西岸大剧院', en: 'West Bund Grand Theatre' },
      source: `${LM}: West Bund Grand Theatre, 1,673 + 208 seats (sourced: capacityPeople = 1,881 seats); footprint, height and placement inside the Show Stage synthetic`,
      confidence: 'sourced',
    });
  }
}
// Museums and the coal-hopper bridge: GFA and visitor capacity from the synthetic footprint.
for (const d of drafts) {
  if (d.gfaM2 === 0) {
    d.gfaM2 = Math.round(footprintArea(d.poly) * d.floors * 0.9);
    d.capacityPeople = capacityFor(d.use, d.gfaM2);
    d.source += `; GFA = footprint × floors × 0.9; ${CAPACITY_RULE[d.use].text}`;
  }
}
const landmarkCount = drafts.length;

// Synthetic fill.
type Range = readonly [number, number];
interface FillSpec {
  count: number;
  gfaTarget: number;
  uses: readonly (readonly [BuildingUse, number])[];
  heights: Partial<Record<BuildingUse, Range>>;
}
const FILL: Record<ClusterId, FillSpec> = {
  'financial-city': {
    count: 68,
    gfaTarget: 1_450_000,
    uses: [['office', 50], ['hotel', 12], ['retail', 18], ['residential', 20]],
    heights: { office: [36, 140], hotel: [50, 120], retail: [12, 24], residential: [36, 90] },
  },
  'media-port': {
    count: 72,
    gfaTarget: 1_100_000,
    uses: [['office', 68], ['lab', 6], ['retail', 10], ['residential', 10], ['hotel', 6]],
    heights: { office: [20, 60], lab: [16, 30], retail: [10, 18], residential: [24, 60], hotel: [30, 70] },
  },
  'digital-intelligence-center': {
    count: 45,
    gfaTarget: 1_000_000,
    uses: [['office', 50], ['lab', 35], ['retail', 15]],
    heights: { office: [30, 120], lab: [20, 45], retail: [10, 20] },
  },
  'digital-valley': {
    count: 48,
    gfaTarget: 1_200_000,
    uses: [['office', 50], ['lab', 34], ['retail', 8], ['residential', 8]],
    heights: { office: [20, 50], lab: [15, 28], retail: [8, 16], residential: [24, 45] },
  },
  'show-stage': {
    count: 45,
    gfaTarget: 1_000_000,
    uses: [['culture', 35], ['retail', 30], ['office', 20], ['hotel', 15]],
    heights: { culture: [15, 40], retail: [12, 26], office: [30, 90], hotel: [50, 110] },
  },
  'life-science-bay': {
    count: 90,
    gfaTarget: 1_000_000,
    uses: [['lab', 50], ['office', 25], ['residential', 15], ['retail', 10]],
    heights: { lab: [15, 36], office: [24, 70], residential: [30, 70], retail: [8, 18] },
  },
};
/**
 * Cluster floor-area targets the synthetic heights are scaled to: Financial City 1.1–1.8 million m² (sources disagree;
 * the midpoint), Digital Valley ≈1.2 million m² (facts); the others are the seed's "million square metre" class.
 */
const GFA_TARGET_NOTE: Record<ClusterId, string> = {
  'financial-city': "heights scaled so the cluster's GFA is ≈1.45 million m², the midpoint of the reported 1.1–1.8 million m²",
  'media-port': "heights scaled so the cluster's GFA is ≈1.1 million m² (the seed's million-square-metre class)",
  'digital-intelligence-center': "heights scaled so the cluster's GFA is ≈1.0 million m² (the seed's million-square-metre class)",
  'digital-valley': "heights scaled so the cluster's GFA is ≈1.2 million m², the reported size of Digital Valley",
  'show-stage': "heights scaled so the cluster's GFA is ≈1.0 million m² (the seed's million-square-metre class)",
  'life-science-bay': "heights scaled so the cluster's GFA is ≈1.0 million m² (the seed's million-square-metre class)",
};
const SYN_SRC = 'synthetic: footprint, height and use generated by data/generate.ts (seeded PRNG) inside the cluster zone';

function shapeFor(use: BuildingUse, c: P, h: number): P[] {
  const turn = between(-4, 4);
  const flip = rand() < 0.5 ? 1 : -1;
  const box = (w: number, d: number): P[] =>
    rand() < 0.25 && w > 30 && d > 30
      ? lShape(c, w, d, w * between(0.35, 0.55), d * between(0.35, 0.55), turn, undefined, flip)
      : rectShape(c, w, d, turn);
  switch (use) {
    case 'office':
      return h > 110 ? rectShape(c, between(40, 55), between(40, 58), turn) : box(between(28, 55), between(30, 70));
    case 'lab':
      return box(between(30, 65), between(40, 90));
    case 'hotel':
      return rectShape(c, between(25, 40), between(40, 70), turn);
    case 'residential':
      return rand() < 0.5 ? rectShape(c, between(16, 22), between(50, 80), turn) : rectShape(c, between(24, 30), between(24, 30), turn);
    case 'retail':
      return box(between(40, 85), between(40, 100));
    case 'culture':
      return rand() < 0.25 ? circleShape(c, between(18, 32)) : box(between(40, 75), between(40, 90));
  }
}

const heightScale = new Map<ClusterId, number>();
for (const meta of CLUSTERS) {
  const spec = FILL[meta.id];
  const zone = ZONES[meta.id];
  const xs = zone.map((p) => p[0]);
  const ys = zone.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  let placed = 0;
  for (let attempt = 0; placed < spec.count && attempt < 60_000; attempt++) {
    const c: P = [between(x0, x1), between(y0, y1)];
    if (!pointInPoly(c, zone)) continue;
    const use = pickWeighted(spec.uses);
    const [hMin, hMax] = spec.heights[use]!;
    // Skew towards the lower end: most buildings are mid-rise, a few are towers.
    const heightM = round(hMin + (hMax - hMin) * rand() ** 1.8, 1);
    const poly = shapeFor(use, c, heightM);
    if (fits(poly, meta.id, 12)) continue;
    const floors = floorsFor(use, heightM);
    const gfaM2 = Math.round(footprintArea(poly) * floors * 0.9);
    const cc = centreOf(poly);
    drafts.push({
      cluster: meta.id,
      poly,
      c: cc,
      r: radiusOf(poly, cc),
      use,
      heightM,
      floors,
      gfaM2,
      capacityPeople: capacityFor(use, gfaM2),
      landmark: false,
      source: `${SYN_SRC}; floors = height / ${M_PER_FLOOR[use]} m; GFA = footprint × floors × 0.9; ${CAPACITY_RULE[use].text}`,
      confidence: 'synthetic',
    });
    placed++;
  }
  if (placed < spec.count) console.warn(`${meta.id}: placed ${placed} of ${spec.count} synthetic buildings`);
  // Scale the synthetic heights so the cluster's floor area meets its target (floors stay whole, at least one).
  const mine = drafts.filter((d) => d.cluster === meta.id);
  const fixed = mine.filter((d) => d.confidence !== 'synthetic').reduce((s, d) => s + d.gfaM2, 0);
  const synth = mine.filter((d) => d.confidence === 'synthetic');
  const before = synth.reduce((s, d) => s + d.gfaM2, 0);
  for (let pass = 0; pass < 3; pass++) {
    const now = synth.reduce((s, d) => s + d.gfaM2, 0);
    const k = Math.max(0.3, Math.min(2, (spec.gfaTarget - fixed) / now));
    for (const d of synth) {
      d.heightM = round(Math.max(M_PER_FLOOR[d.use] * 1.2, d.heightM * k), 1);
      d.floors = floorsFor(d.use, d.heightM);
      d.gfaM2 = Math.round(footprintArea(d.poly) * d.floors * 0.9);
      d.capacityPeople = capacityFor(d.use, d.gfaM2);
    }
  }
  for (const d of synth) d.source += `; ${GFA_TARGET_NOTE[meta.id]}`;
  heightScale.set(meta.id, synth.reduce((s, d) => s + d.gfaM2, 0) / before);
}

// North → south; synthetic ids numbered in that order within their cluster.
const latOf = (d: Draft): number => toLngLat(centreOf(d.poly))[1];
drafts.sort((a, b) => latOf(b) - latOf(a) || (a.id ?? '').localeCompare(b.id ?? ''));
{
  const counters = new Map<string, number>();
  for (const d of drafts) {
    if (d.id) continue;
    const prefix = CLUSTERS.find((m) => m.id === d.cluster)!.prefix;
    const n = (counters.get(prefix) ?? 0) + 1;
    counters.set(prefix, n);
    d.id = `${prefix}-b${String(n).padStart(2, '0')}`;
  }
}
const buildings: Building[] = drafts.map((d) => ({
  id: d.id!,
  ...(d.name ? { name: d.name } : {}),
  clusterId: d.cluster,
  use: d.use,
  landmark: d.landmark,
  heightM: d.heightM,
  floors: d.floors,
  gfaM2: Math.round(d.gfaM2),
  capacityPeople: d.capacityPeople,
  ...(d.address ? { address: d.address } : {}),
  source: d.source,
  confidence: d.confidence,
  footprint: ring(d.poly),
}));
const buildingById = new Map(buildings.map((b) => [b.id, b]));

// ───────────────────────────── suppliers ─────────────────────────────

const SUP_SRC = 'district-facts.md, 模速空间 table (seed): the compute scheduling platform connects 9 suppliers';
const suppliers: Supplier[] = [
  {
    id: 'china-telecom',
    name: { zh: '中国电信（临港智算中心）', en: 'China Telecom (Lingang intelligent computing centre)' },
    capacityPflops: 800,
    note: {
      zh: '“一跳入算”：万兆光纤，1毫秒直达临港智算中心（来源：种子文章）。算力池规模未公开，此处为合成值。',
      en: '“One hop to compute”: 10-gigabit optical link, 1 ms to the Lingang intelligent computing centre (sourced, seed article). Pool size not published; the figure here is synthetic.',
    },
    source: `${SUP_SRC}; China Telecom's 10-gigabit link and 1 ms to Lingang are sourced; capacityPflops is synthetic`,
    confidence: 'synthetic',
  },
  {
    id: 'sensetime',
    name: { zh: '商汤科技', en: 'SenseTime' },
    capacityPflops: 1000,
    note: {
      zh: '为模速空间提供1000P专属算力（首期）。',
      en: '1000P of dedicated compute for the community, first tranche.',
    },
    source: `${SUP_SRC}; SenseTime: 1000P of dedicated compute, first tranche (sourced; read here as 1,000 PFLOPS, precision not stated)`,
    confidence: 'sourced',
  },
  {
    id: 'volcano-engine',
    name: { zh: '火山引擎（方舟）', en: 'Volcano Engine (Ark)' },
    capacityPflops: 600,
    note: {
      zh: '旗下方舟平台公司落户徐汇，是算力与生态合作伙伴（来源：种子文章）。算力池规模为合成值。',
      en: 'Its Ark platform subsidiary settled in Xuhui; compute and ecosystem partner (sourced, seed article). Pool size is synthetic.',
    },
    source: `${SUP_SRC}; Volcano Engine's Ark platform subsidiary settled in Xuhui (sourced); capacityPflops is synthetic`,
    confidence: 'synthetic',
  },
  ...[400, 320, 260, 200, 160, 120].map(
    (cap, i): Supplier => ({
      id: `supplier-${i + 4}`,
      name: { zh: `算力供应商 ${i + 4}（未具名）`, en: `Compute supplier ${i + 4} (unnamed)` },
      capacityPflops: cap,
      source: `${SUP_SRC}; six of the nine are not named in public reporting — name placeholder and capacityPflops synthetic`,
      confidence: 'synthetic',
    }),
  ),
];

// ───────────────────────────── companies ─────────────────────────────

interface CoDraft {
  id: string;
  name: Bilingual;
  industry: Industry;
  buildingId: string;
  weight: number; // share of the building's headcount
  mosu: boolean;
  computeWeight: number; // 0 = no allocation
  source: string;
  confidence: Confidence;
}
const MOSU_PLACE = 'named in district-facts.md as in or around 模速空间 (seed / public reporting); placed in 龙台路180号 Building B — approximate';
const SYN_FIG = 'headcount, floors and compute allocation synthetic; industry is an editorial classification';
const MOSU_REG = 'registeredModels: the community helped 15 companies pass national registration (seed) — which companies is not known, the split is synthetic';
const named = (
  id: string,
  zh: string,
  en: string,
  industry: Industry,
  buildingId: string,
  weight: number,
  computeWeight: number,
  place: string,
  mosu = false,
  confidence: Confidence = 'approximate',
): CoDraft => {
  if (!buildingById.has(buildingId)) throw new Error(`${id}: no building ${buildingId}`);
  return {
    id,
    name: { zh, en },
    industry,
    buildingId,
    weight,
    mosu,
    computeWeight,
    source: `${place}; ${SYN_FIG}${mosu ? `; ${MOSU_REG}` : ''}`,
    confidence,
  };
};

const officesIn = (cluster: ClusterId, use: BuildingUse = 'office'): Building[] =>
  buildings.filter((b) => b.clusterId === cluster && b.use === use && b.confidence === 'synthetic').sort((a, b) => b.gfaM2 - a.gfaM2 || a.id.localeCompare(b.id));
const mpOffices = officesIn('media-port');
const dicLabs = officesIn('digital-intelligence-center', 'lab');
const fcHotels = officesIn('financial-city', 'hotel');
const MP_PLACE = "district-facts.md names it a West Bund Media Port tenant (approximate); the building within the cluster is this generator's choice";
const DV_PLACE = "district-facts.md names it a West Bund Digital Valley tenant (approximate); the building within the cluster is this generator's choice";
const M = 'mosu-space';

const namedCos: CoDraft[] = [
  named('tencent', '腾讯', 'Tencent', 'media', mpOffices[0]!.id, 4, 0, MP_PLACE),
  named('hunan-mango', '湖南芒果', 'Hunan Mango', 'media', 'mangoo-hub-1', 4, 0, `${MP_PLACE.replace("; the building within the cluster is this generator's choice", '')}; placed in Mangoo Hub tower 1`),
  named('cmg-yangtze-delta-hq', '中央广播电视总台长三角总部', 'CMG Yangtze Delta HQ', 'media', 'media-port-cmg-1', 6, 0, 'district-facts.md: Shanghai International Media Port is the CMG Yangtze Delta HQ (sourced); placed in block 1 — approximate'),
  named('shanghai-ai-lab', '上海人工智能实验室', 'Shanghai AI Laboratory', 'research', 'shanghai-ai-lab-longwen', 5, 5, "district-facts.md: present address 龙文路129号 in the Media Port, in Xuhui since 2021 (approximate)"),
  named('volcano-engine-ark', '火山引擎方舟', 'Volcano Engine Ark', 'compute', mpOffices[1]!.id, 3, 0, 'district-facts.md: its Ark platform subsidiary settled in Xuhui (sourced); the building is not known — placement synthetic', false, 'synthetic'),
  // 模速空间 community
  named('sensetime', '商汤科技', 'SenseTime', 'foundation-models', M, 4, 0, `${MOSU_PLACE}; in Xuhui since 2017`, true),
  named('infinigence', '无问芯穹', 'Infinigence', 'compute', M, 2, 3, MOSU_PLACE, true),
  named('midu-fengchao', '蜜度蜂巢', 'Midu Fengchao (蜜度蜂巢, pinyin rendering)', 'ai-applications', M, 1.5, 2, MOSU_PLACE, true),
  named('zhihui-weilai', '智慧未来', 'Zhihui Weilai (智慧未来, pinyin rendering)', 'ai-applications', M, 1.2, 2, MOSU_PLACE, true),
  named('minimax', 'MiniMax', 'MiniMax', 'foundation-models', M, 3, 5, MOSU_PLACE, true),
  named('transwarp', '星环科技', 'Transwarp', 'data-services', M, 2, 2, `${MOSU_PLACE}; over 1,400 end users across a dozen industries (sourced)`, true),
  named('opencsg', '开放传神', 'OpenCSG', 'data-services', M, 1.5, 2, MOSU_PLACE, true),
  named('jiuzhou-weilai', '九州未来', 'Jiuzhou Weilai (九州未来, pinyin rendering)', 'compute', M, 1.2, 2, MOSU_PLACE, true),
  named('zhonggong-hulian', '中工互联', 'Zhonggong Hulian (中工互联, pinyin rendering)', 'ai-applications', M, 1.2, 2, MOSU_PLACE, true),
  named('shanghai-academy-ai-for-science', '上海科学智能研究院', 'Shanghai Academy of AI for Science', 'research', M, 2, 4, MOSU_PLACE, true),
  named('puxin-institute', '浦芯研究院', 'Puxin Research Institute (浦芯研究院, fair rendering)', 'research', M, 1, 2, MOSU_PLACE, true),
  named('modelbest', 'ModelBest', 'ModelBest', 'foundation-models', M, 2, 4, 'other public reporting names it a 模速空间 tenant (district-facts.md); placed in 龙台路180号 Building B — approximate', true),
  named('liblib', 'LibLib', 'LibLib', 'ai-applications', M, 1.5, 2, 'other public reporting names it a 模速空间 tenant (district-facts.md); placed in 龙台路180号 Building B — approximate', true),
  // Digital Valley
  named('microsoft-research-asia-shanghai', '微软亚洲研究院（上海）', 'Microsoft Research Asia (Shanghai)', 'research', 'ai-plaza', 4, 3, DV_PLACE),
  named('shanghai-qi-zhi-institute', '上海期智研究院', 'Shanghai Qi Zhi Institute', 'research', 'ai-plaza', 3, 3, DV_PLACE),
  named('alibaba', '阿里巴巴', 'Alibaba', 'ai-applications', 'ai-tower-north', 5, 0, DV_PLACE),
  named('huawei', '华为', 'Huawei', 'compute', 'ai-tower-north', 5, 0, DV_PLACE),
  named('mininglamp', '明略科技', 'Mininglamp', 'data-services', 'ai-tower-south', 4, 2, DV_PLACE),
  named('united-imaging', '联影', 'United Imaging', 'life-science', 'ai-tower-south', 4, 1, DV_PLACE),
  // Digital-Intelligence Center, Financial City
  named('pujiang-lab', '浦江实验室', 'Pujiang Lab', 'research', dicLabs[0]!.id, 5, 4, "district-facts.md names it a tenant of the West Bund Digital-Intelligence Center (approximate); the building within the cluster is this generator's choice"),
  named('mandarin-oriental', '文华东方酒店', 'Mandarin Oriental', 'hospitality', fcHotels[0]!.id, 1, 0, "district-facts.md: Mandarin Oriental hotels in West Bund Financial City (approximate); the building within the cluster is this generator's choice; headcount = staff, synthetic"),
];

const INDUSTRY_MIX: Record<ClusterId, readonly (readonly [Industry, number])[]> = {
  'financial-city': [['finance', 55], ['services', 20], ['data-services', 10], ['ai-applications', 15]],
  'media-port': [['media', 45], ['ai-applications', 25], ['data-services', 12], ['foundation-models', 8], ['services', 10]],
  'digital-intelligence-center': [['compute', 22], ['data-services', 25], ['ai-applications', 30], ['research', 15], ['services', 8]],
  'digital-valley': [['ai-applications', 35], ['foundation-models', 12], ['research', 15], ['compute', 12], ['data-services', 18], ['services', 8]],
  'show-stage': [['culture', 45], ['media', 30], ['services', 25]],
  'life-science-bay': [['life-science', 60], ['research', 20], ['ai-applications', 12], ['services', 8]],
};
const MOSU_MIX: readonly (readonly [Industry, number])[] = [['foundation-models', 25], ['ai-applications', 45], ['data-services', 15], ['compute', 15]];
const COMPUTE_P: Partial<Record<Industry, number>> = {
  'foundation-models': 0.95,
  compute: 0.8,
  research: 0.6,
  'ai-applications': 0.4,
  'data-services': 0.3,
  'life-science': 0.15,
};
const SYN_CO_SRC = 'synthetic sample tenant generated by data/generate.ts (seeded PRNG): name, industry, headcount, floors and compute allocation are invented';

const coDrafts: CoDraft[] = [...namedCos];
let sampleNo = 0;
const sample = (b: Building, industry: Industry, mosu: boolean): CoDraft => {
  sampleNo++;
  const n = String(sampleNo).padStart(4, '0');
  const cp = COMPUTE_P[industry] ?? 0;
  return {
    id: `sample-co-${n}`,
    name: { zh: `示例企业 ${n}`, en: `Sample Co. ${n}` },
    industry,
    buildingId: b.id,
    weight: between(0.4, 2),
    mosu,
    computeWeight: rand() < cp ? between(0.3, 2) : 0,
    source: `${SYN_CO_SRC}${mosu ? `; stands in for the 100+ firms reported in 模速空间 by 2025; ${MOSU_REG}` : ''}`,
    confidence: 'synthetic',
  };
};
for (const b of buildings) {
  const existing = coDrafts.filter((c) => c.buildingId === b.id).length;
  if (b.id === M) {
    for (let i = 0; i < 12; i++) coDrafts.push(sample(b, pickWeighted(MOSU_MIX), true));
    continue;
  }
  if (b.use !== 'office' && b.use !== 'lab') continue;
  const target = Math.max(1, Math.min(8, Math.round(b.gfaM2 / 15_000) + intBetween(0, 2)));
  const mix = INDUSTRY_MIX[b.clusterId as ClusterId];
  for (let i = existing; i < target; i++) coDrafts.push(sample(b, b.use === 'lab' && rand() < 0.5 ? 'research' : pickWeighted(mix), false));
}

// Headcount and floors per building.
const companies: Company[] = [];
const order = new Map(buildings.map((b, i) => [b.id, i]));
const byBuilding = new Map<string, CoDraft[]>();
for (const c of coDrafts) byBuilding.set(c.buildingId, [...(byBuilding.get(c.buildingId) ?? []), c]);
const headcountOf = new Map<string, number>();
const floorsOf = new Map<string, number[]>();
for (const [bid, cos] of [...byBuilding].sort((a, b) => order.get(a[0])! - order.get(b[0])!)) {
  const b = buildingById.get(bid)!;
  const occupancy = between(0.55, 0.85);
  const people = Math.floor(b.capacityPeople * occupancy);
  const totalW = cos.reduce((s, c) => s + c.weight, 0);
  cos.forEach((c) => headcountOf.set(c.id, Math.max(1, Math.floor((people * c.weight) / totalW))));
  // Floors: contiguous ranges in proportion to headcount when there are enough floors, else tenants share floors.
  if (cos.length <= b.floors) {
    let next = 1;
    cos.forEach((c, i) => {
      const remainingTenants = cos.length - i - 1;
      const want = Math.max(1, Math.round((b.floors * c.weight) / totalW));
      const take = i === cos.length - 1 ? b.floors - next + 1 : Math.max(1, Math.min(want, b.floors - next + 1 - remainingTenants));
      floorsOf.set(c.id, Array.from({ length: take }, (_, k) => next + k));
      next += take;
    });
  } else {
    cos.forEach((c, i) => floorsOf.set(c.id, [1 + (i % b.floors)]));
  }
}

// Registered models: 15 模速空间 companies, chosen by the PRNG.
const mosuIds = coDrafts.filter((c) => c.mosu).map((c) => c.id);
const registered = new Map<string, number>();
{
  const pool = [...mosuIds];
  for (let i = 0; i < 15 && pool.length; i++) {
    const [id] = pool.splice(Math.floor(rand() * pool.length), 1);
    registered.set(id!, rand() < 0.25 ? 2 : 1);
  }
}

// Compute: desired pflops per company, then each supplier's pool scaled to 70–88 % allocated.
const allocation = new Map<string, { supplierId: string; pflops: number }>();
{
  const supplierWeights = suppliers.map((s) => [s.id, s.capacityPflops] as const);
  for (const c of coDrafts) {
    if (c.computeWeight <= 0) continue;
    const want = c.computeWeight * Math.sqrt(headcountOf.get(c.id)!) * between(0.5, 1.5);
    allocation.set(c.id, { supplierId: pickWeighted(supplierWeights), pflops: want });
  }
  for (const s of suppliers) {
    const mine = [...allocation.values()].filter((a) => a.supplierId === s.id);
    const sum = mine.reduce((t, a) => t + a.pflops, 0);
    if (!mine.length) throw new Error(`supplier ${s.id} has no allocations`);
    const target = s.capacityPflops * between(0.7, 0.88);
    for (const a of mine) a.pflops = Math.max(0.1, Math.floor(((a.pflops * target) / sum) * 10) / 10);
  }
}

for (const c of [...coDrafts].sort((a, b) => order.get(a.buildingId)! - order.get(b.buildingId)! || a.id.localeCompare(b.id))) {
  const a = allocation.get(c.id);
  companies.push({
    id: c.id,
    name: c.name,
    industry: c.industry,
    buildingId: c.buildingId,
    floors: floorsOf.get(c.id)!,
    headcount: headcountOf.get(c.id)!,
    registeredModels: registered.get(c.id) ?? 0,
    mosu: c.mosu,
    ...(a ? { compute: { supplierId: a.supplierId, pflops: round(a.pflops, 1) } } : {}),
    source: c.source,
    confidence: c.confidence,
  });
}

// ───────────────────────────── assemble, check, write ─────────────────────────────

const water: Water[] = [
  {
    id: 'huangpu-river',
    name: { zh: '黄浦江', en: 'Huangpu River' },
    polygon: ring(riverPoly),
    source:
      'district-facts.md shoreline anchor points (Lupu Bridge, Start Museum, Long Museum, West Bund Art Museum, Tank Shanghai, Xupu Bridge; WGS-84): Xuhui bank drawn through them with the museums 95–125 m inland; Pudong bank drawn 440–560 m across (river 400–600 m wide) — approximate',
    confidence: 'approximate',
  },
  {
    id: 'rihui-port',
    name: { zh: '日晖港', en: 'Rihui Port (creek)' },
    polygon: ring(creekPoly),
    source: 'district-facts.md: the district runs from 日晖港 (near Lupu Bridge), the Start Museum sits near its mouth; course and 50 m width drawn by data/generate.ts — approximate. The other creek mouths (龙华港, 张家塘港, 春申港, 淀浦河) are not drawn',
    confidence: 'approximate',
  },
];
const XUPU = ANCHOR.xupuBridge;
const LUPU = ANCHOR.lupuBridge;
const bridges: Bridge[] = [
  {
    id: 'lupu-bridge',
    name: { zh: '卢浦大桥', en: 'Lupu Bridge' },
    line: [toLngLat([LUPU[0], LUPU[1] + 650]), toLngLat([LUPU[0], LUPU[1] - 750])],
    widthM: 28,
    source: 'district-facts.md anchor point: Lupu Bridge at 31.1906, 121.4758 (sourced position); drawn square across the river (which runs west→east there) with ≈600 m of approaches each side — alignment, length and width approximate',
    confidence: 'approximate',
  },
  {
    id: 'xupu-bridge',
    name: { zh: '徐浦大桥', en: 'Xupu Bridge' },
    line: [toLngLat([XUPU[0] - 650, XUPU[1]]), toLngLat([XUPU[0] + 900, XUPU[1]])],
    widthM: 32,
    source: 'district-facts.md anchor point: Xupu Bridge at 31.1292, 121.4642 (sourced position, the southern reference); drawn square across the river (which runs north–south there) with approaches — alignment, length and width approximate',
    confidence: 'approximate',
  },
];
const CONTEXT_SRC = 'district-facts.md extent: "Pudong\'s Expo site and Houtan Park across the river"; no coordinates are given there, so the outline is schematic: placed on the Pudong bank opposite the northern part of the strip — approximate';
const contextAreas: ContextArea[] = [
  {
    id: 'pudong-bank',
    name: { zh: '浦东', en: 'Pudong' },
    kind: 'land',
    polygon: ring(pudongLand),
    source: 'the far bank of the Huangpu (drawn from the river polygon\'s Pudong bank), shown as low context only — approximate',
    confidence: 'approximate',
  },
  {
    id: 'expo-site',
    name: { zh: '世博园区（浦东）', en: 'Expo site (Pudong)' },
    kind: 'expo',
    polygon: ring(ccw([[1700, 2000], [3400, 2120], [3400, 1300], [2000, 1200], [1300, 1500]])),
    source: CONTEXT_SRC,
    confidence: 'approximate',
  },
  {
    id: 'houtan-park',
    name: { zh: '后滩公园', en: 'Houtan Park' },
    kind: 'park',
    polygon: ring(ccw([[1100, 1560], [760, 1300], [700, 850], [820, 850], [880, 1250], [1250, 1450]])),
    source: CONTEXT_SRC,
    confidence: 'approximate',
  },
];
const roads: Road[] = roadDrafts.map((r) => ({ id: r.id, name: r.name, line: r.line.map(toLngLat), widthM: r.widthM, source: r.source, confidence: 'approximate' }));
const clusters: Cluster[] = CLUSTERS.map((m) => {
  const zone = ZONES[m.id];
  const y = m.labelY;
  const xsAtY: number[] = [];
  for (const [a, b] of edges(zone)) if ((a[1] - y) * (b[1] - y) < 0) xsAtY.push(a[0] + ((y - a[1]) / (b[1] - a[1])) * (b[0] - a[0]));
  const label: P = [(Math.min(...xsAtY) + Math.max(...xsAtY)) / 2, y];
  if (!pointInPoly(label, zone)) throw new Error(`${m.id}: label outside zone`);
  return {
    id: m.id,
    name: m.name,
    theme: m.theme,
    colour: m.colour,
    labelAt: toLngLat(label),
    summary: m.summary,
    source: m.source,
    confidence: 'approximate',
    zone: ring(zone),
  };
});

const district: DistrictFile = {
  name: { zh: '徐汇滨江（西岸）', en: 'Xuhui Riverside (West Bund)' },
  geography: {
    origin: { lat: ORIGIN.lat, lon: ORIGIN.lon },
    boundary: {
      source:
        'district-facts.md extent: 日晖港 in the north to 关港 (≈31.145 N) in the south, Wanping, Longhua and Longwu roads on the west, the Huangpu on the east; outline drawn by data/generate.ts with the inland edge placed so the area comes to the published ≈9.4 km² (westbund.com) — approximate',
      confidence: 'approximate',
      polygon: ring(boundaryPoly),
    },
    water,
    roads,
    bridges,
    context: contextAreas,
  },
  clusters,
  buildings,
};

// Geometry self-checks on what will be written (rounded coordinates).
{
  const toP = (p: LngLat): P => fromLatLon(p[1], p[0]);
  const zones = clusters.map((c) => c.zone.map(toP));
  const boundary = district.geography.boundary.polygon.map(toP);
  const waters = water.map((w) => w.polygon.map(toP));
  zones.forEach((z, i) => {
    { const out = z.filter((p) => !pointInPoly(p, boundary)); if (out.length) throw new Error(`${clusters[i]!.id}: zone leaves the boundary at ${JSON.stringify(out)}`); }
    for (const w of waters) if (polyPolyDist(z, w) === 0) throw new Error(`${clusters[i]!.id}: zone touches water`);
    for (let j = i + 1; j < zones.length; j++) if (polyPolyDist(z, zones[j]!) === 0) throw new Error(`${clusters[i]!.id} overlaps ${clusters[j]!.id}`);
  });
  const fps = buildings.map((b) => b.footprint.map(toP));
  fps.forEach((f, i) => {
    const b = buildings[i]!;
    const zi = clusters.findIndex((c) => c.id === b.clusterId);
    if (!f.every((p) => pointInPoly(p, zones[zi]!))) throw new Error(`${b.id}: leaves its zone`);
    for (const w of waters) if (polyPolyDist(f, w) === 0) throw new Error(`${b.id}: in the water`);
    const c = centreOf(f);
    const r = radiusOf(f, c);
    for (let j = i + 1; j < fps.length; j++) {
      const g = fps[j]!;
      const cg = centreOf(g);
      if (Math.hypot(cg[0] - c[0], cg[1] - c[1]) > r + radiusOf(g, cg) + 1) continue;
      if (polyPolyDist(f, g) === 0) throw new Error(`${b.id} overlaps ${buildings[j]!.id}`);
    }
  });
  // Anchors: museums 50–200 m inland, bridges in the river.
  for (const [k, p] of Object.entries(ANCHOR)) {
    const inWater = pointInPoly(p, riverPoly);
    const d = nearestBank(p).dist;
    console.log(`anchor ${k.padEnd(13)} ${inWater ? 'in the river' : `${d.toFixed(0)} m inland`}`);
    if (k.endsWith('Bridge') !== inWater) throw new Error(`anchor ${k} on the wrong side of the bank`);
    if (!inWater && (d < 50 || d > 200)) throw new Error(`anchor ${k} is ${d.toFixed(0)} m from the bank`);
  }
}

const districtFile = DistrictFile.parse(district);
const companiesFile = CompaniesFile.parse({ companies });
const suppliersFile = SuppliersFile.parse({ suppliers });
const issues = checkDistrictConsistency({ district: districtFile, companies: companiesFile, suppliers: suppliersFile });
if (issues.length) throw new Error(`consistency:\n${issues.map((i) => `${i.file}: ${i.record}: ${i.field}: ${i.message}`).join('\n')}`);
for (const b of buildings) {
  const people = companies.filter((c) => c.buildingId === b.id).reduce((s, c) => s + c.headcount, 0);
  if (people > b.capacityPeople) throw new Error(`${b.id}: ${people} people over capacity ${b.capacityPeople}`);
  if ((b.use === 'office' || b.use === 'lab') && !companies.some((c) => c.buildingId === b.id)) throw new Error(`${b.id}: no tenant`);
}

/** Pretty JSON with one record per line: objects holding arrays of records are expanded, everything else is inline. */
function pretty(v: unknown, ind = ''): string {
  const isRecord = (x: unknown): boolean => !!x && typeof x === 'object' && !Array.isArray(x);
  const expands = (x: unknown): boolean =>
    (Array.isArray(x) && x.length > 0 && x.every(isRecord)) || (isRecord(x) && Object.values(x as object).some(expands));
  if (Array.isArray(v) && expands(v)) return `[\n${v.map((e) => `${ind}  ${JSON.stringify(e)}`).join(',\n')}\n${ind}]`;
  if (isRecord(v) && expands(v))
    return `{\n${Object.entries(v as object)
      .map(([k, x]) => `${ind}  ${JSON.stringify(k)}: ${pretty(x, `${ind}  `)}`)
      .join(',\n')}\n${ind}}`;
  return JSON.stringify(v);
}
const outDir = fileURLToPath(new URL('.', import.meta.url));
let bytes = 0;
for (const [file, value] of [
  [DATA_FILES.district, districtFile],
  [DATA_FILES.companies, companiesFile],
  [DATA_FILES.suppliers, suppliersFile],
] as const) {
  const text = `${pretty(value)}\n`;
  bytes += Buffer.byteLength(text);
  writeFileSync(`${outDir}${file}`, text);
}

// Report.
const km2 = (ringM2: number): string => (Math.abs(ringM2) / 1e6).toFixed(2);
console.log(`boundary area ${km2(ringAreaM2(ORIGIN, districtFile.geography.boundary.polygon))} km² (published: about 9.4 km²)`);
for (const c of clusters) {
  const bs = buildings.filter((b) => b.clusterId === c.id);
  const gfa = bs.reduce((s, b) => s + b.gfaM2, 0);
  console.log(
    `${c.id.padEnd(28)} zone ${(Math.abs(ringAreaM2(ORIGIN, c.zone)) / 1e4).toFixed(0).padStart(4)} ha, ${String(bs.length).padStart(3)} buildings, GFA ${(gfa / 1e6).toFixed(2)} million m² (synthetic heights × ${heightScale.get(c.id as ClusterId)!.toFixed(2)})`,
  );
}
for (const s of suppliers) {
  const sum = companies.filter((c) => c.compute?.supplierId === s.id).reduce((t, c) => t + c.compute!.pflops, 0);
  console.log(`${s.id.padEnd(16)} ${sum.toFixed(1).padStart(7)} / ${s.capacityPflops} PFLOPS allocated (${((100 * sum) / s.capacityPflops).toFixed(0)} %)`);
}
console.log(
  `${buildings.length} buildings (${landmarkCount} landmark/named, ${buildings.length - landmarkCount} synthetic), ${companies.length} companies (${namedCos.length} named, ${companies.filter((c) => c.mosu).length} in 模速空间, ${[...registered.values()].reduce((a, b) => a + b, 0)} registered models), ${suppliers.length} suppliers; ${(bytes / 1024).toFixed(0)} KiB written to ${outDir}`,
);

// ───────────────────────────── 模速空间: facts, platforms, chain (mosu.json) ─────────────────────────────
// A PRNG of its own, so the files above keep their bytes whatever is added here.
{
  const mrand = mulberry32(SEED ^ 0x6d05);
  const SEED_SRC = 'district-facts.md, 模速空间 table (the seed article)';
  // The figures are facts of data/facts.json (their one home, hand-kept with their sources): named here by id only.
  const platforms: MosuFile['platforms'] = [
    { id: 'compute-scheduling', name: { zh: '算力调度平台', en: 'Compute scheduling' }, what: { zh: '一个平台调度九家供应商的算力池', en: "one scheduler, nine suppliers' pools" }, factIds: ['telecom-one-hop', 'sensetime-pool'], source: SEED_SRC, confidence: 'sourced' },
    { id: 'open-data', name: { zh: '开放数据平台', en: 'Open data' }, what: { zh: '上海人工智能实验室 OpenDataLab、语料联盟', en: 'OpenDataLab (Shanghai AI Lab), corpus alliance' }, factIds: [], source: `${SEED_SRC}: other platforms — open data (OpenDataLab of Shanghai AI Lab, corpus alliance); no figure published`, confidence: 'sourced' },
    { id: 'evaluation', name: { zh: '评测平台', en: 'Evaluation' }, what: { zh: '大模型评测服务', en: 'large-model evaluation' }, factIds: [], source: `${SEED_SRC}: other platforms — evaluation; no figure published`, confidence: 'sourced' },
    { id: 'finance', name: { zh: '金融服务平台', en: 'Finance' }, what: { zh: '投资机构与大模型企业对接', en: 'investors meet model companies' }, factIds: ['mosu-investors', 'mosu-aum', 'mosu-served'], source: SEED_SRC, confidence: 'sourced' },
    { id: 'comprehensive-services', name: { zh: '综合服务平台', en: 'Comprehensive services' }, what: { zh: '合规指导中心（与市网信办）、五分钟税务服务、法院与检察院联络点', en: 'compliance centre, tax, court and prosecutor desks' }, factIds: ['mosu-registrations', 'mosu-first-phase'], source: SEED_SRC, confidence: 'sourced' },
  ];
  const roles: MosuFile['roles'] = [
    { id: 'compute', name: { zh: '算力', en: 'Compute' } },
    { id: 'foundation-models', name: { zh: '基础大模型', en: 'Foundation models' } },
    { id: 'applications', name: { zh: '应用', en: 'Applications' } },
    { id: 'scenarios', name: { zh: '场景设计', en: 'Scenarios' } },
    { id: 'marketing', name: { zh: '市场推广', en: 'Marketing' } },
  ];
  const ROLE_OF: Partial<Record<Industry, ChainRole>> = {
    compute: 'compute',
    'foundation-models': 'foundation-models',
    research: 'foundation-models',
    'ai-applications': 'applications',
    'data-services': 'scenarios',
  };
  const ROLE_SRC = "role in the chain derived from the company's industry in companies.json (this project's mapping: research → foundation models, data services → scenarios)";
  const inMosu = companies.filter((c) => c.buildingId === 'mosu-space').sort((a, b) => a.id.localeCompare(b.id));
  // Nobody in the data set is in marketing: two synthetic application tenants stand in for it, and say so.
  const marketing = new Set(inMosu.filter((c) => c.confidence === 'synthetic' && c.industry === 'ai-applications').slice(0, 2).map((c) => c.id));
  const LABEL_OVERRIDE: Record<string, Bilingual> = {
    'shanghai-academy-ai-for-science': { zh: '上海科学智能研究院', en: 'AI for Science Academy' },
    'puxin-institute': { zh: '浦芯研究院', en: 'Puxin Institute' },
  };
  const labelOf = (c: Company): Bilingual => {
    const sample = /(\d+)$/.exec(c.id);
    if (c.id.startsWith('sample-co-') && sample) return { zh: `示例 ${sample[1]}`, en: `Sample ${sample[1]}` };
    const strip = (t: string) => t.replace(/\s*[（(].*[)）]\s*$/, '');
    return LABEL_OVERRIDE[c.id] ?? { zh: strip(c.name.zh), en: strip(c.name.en) };
  };
  const tenants: MosuFile['tenants'] = inMosu.map((c) => {
    const label = labelOf(c);
    if (marketing.has(c.id)) return { companyId: c.id, label, role: 'marketing', source: 'synthetic: a sample tenant placed in the marketing role, which the seed names as part of the chain but no listed company fills', confidence: 'synthetic' };
    const role = ROLE_OF[c.industry];
    if (!role) throw new Error(`mosu: no chain role for ${c.id} (${c.industry})`);
    return { companyId: c.id, label, role, source: ROLE_SRC, confidence: c.confidence === 'synthetic' ? 'synthetic' : 'approximate' };
  });
  const UPSTREAM: Record<ChainRole, ChainRole[]> = {
    compute: [],
    'foundation-models': ['compute'],
    applications: ['foundation-models'],
    scenarios: ['foundation-models', 'applications'],
    marketing: ['applications', 'scenarios'],
  };
  const links: MosuFile['links'] = [];
  for (const t of tenants) {
    const ups = tenants.filter((u) => UPSTREAM[t.role].includes(u.role));
    const n = Math.min(ups.length, 1 + Math.floor(mrand() * 2));
    const pool = [...ups];
    for (let i = 0; i < n; i++) {
      const [u] = pool.splice(Math.floor(mrand() * pool.length), 1);
      links.push({ from: u!.companyId, to: t.companyId, source: 'synthetic: the seed says the whole chain sits in one building ("上下楼就是上下游"); which tenant supplies which is not published — links generated by data/generate.ts (seeded PRNG)', confidence: 'synthetic' });
    }
  }
  const mosu: MosuFile = {
    buildingId: 'mosu-space',
    name: { zh: '模速空间', en: 'ModelSpeed Space' },
    subtitle: { zh: '上海大模型创新生态社区', en: 'Shanghai Foundation Model Innovation Center' },
    motto: { text: { zh: '上下楼就是上下游', en: 'Upstairs and downstairs are upstream and downstream' }, source: `${SEED_SRC}: motto; the whole chain (base models, applications, scenario design, compute, marketing) sits in one building`, confidence: 'sourced' },
    roles,
    platforms,
    tenants,
    links,
    linkFactId: 'telecom-one-hop',
  };
  const parsed = MosuFile.parse(mosu);
  const mosuIssues = checkMosuConsistency(parsed, { buildings, companies }, new Set(FactsFile.parse(JSON.parse(readFileSync(new URL('./facts.json', import.meta.url), 'utf8'))).facts.map((f) => f.id)));
  if (mosuIssues.length) throw new Error(`mosu consistency:\n${mosuIssues.map((i) => `${i.record}: ${i.field}: ${i.message}`).join('\n')}`);
  writeFileSync(`${outDir}${MOSU_FILE}`, `${pretty(parsed)}\n`);
  console.log(`mosu.json: ${tenants.length} tenants, ${links.length} links, ${platforms.length} platforms`);
}
