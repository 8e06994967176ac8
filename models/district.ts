/**
 * The district data set: schemas for the files in `data/`, shared by the server (which validates them at start-up),
 * the client (which renders them) and the tests. Coordinates are WGS-84 `[lon, lat]`; `models/geo.ts` projects them.
 */
import { z } from 'zod';

export const CONFIDENCE = ['sourced', 'approximate', 'synthetic'] as const;
export type Confidence = (typeof CONFIDENCE)[number];

/** Every record says where it came from and how sure we are of it. */
export const provenance = {
  source: z.string().min(1, 'source must name where the record comes from'),
  confidence: z.enum(CONFIDENCE),
};

export const Id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'ids are lower-case letters, digits and dashes');

export const Bilingual = z.strictObject({ zh: z.string().min(1), en: z.string().min(1) });
export type Bilingual = z.infer<typeof Bilingual>;

/** `[lon, lat]` in WGS-84 degrees, limited to the wider Xuhui area so a swapped pair or a GCJ-02 slip is caught. */
export const LngLat = z.tuple([
  z.number().finite().min(121.3).max(121.6),
  z.number().finite().min(31.0).max(31.3),
]);
export type LngLat = z.infer<typeof LngLat>;

/** A simple polygon ring, not closed (first point is not repeated). */
export const Ring = z.array(LngLat).min(3, 'a polygon needs at least 3 points');
export const Line = z.array(LngLat).min(2, 'a line needs at least 2 points');

export const CLUSTER_THEMES = ['media', 'ai', 'finance', 'digital-intelligence', 'shows', 'life-science'] as const;
export type ClusterTheme = (typeof CLUSTER_THEMES)[number];

export const Cluster = z.strictObject({
  id: Id,
  name: Bilingual,
  theme: z.enum(CLUSTER_THEMES),
  /** Zone tint in the scene; not a data colour. */
  colour: z.string().regex(/^#[0-9a-f]{6}$/i, 'colour is #rrggbb'),
  zone: Ring,
  labelAt: LngLat,
  summary: Bilingual,
  ...provenance,
});
export type Cluster = z.infer<typeof Cluster>;

export const BUILDING_USES = ['office', 'lab', 'culture', 'hotel', 'retail', 'residential'] as const;
export type BuildingUse = (typeof BUILDING_USES)[number];

export const Building = z.strictObject({
  id: Id,
  /** Landmarks and named buildings carry a name; ordinary synthetic buildings do not. */
  name: Bilingual.optional(),
  clusterId: Id,
  footprint: Ring,
  heightM: z.number().finite().positive().max(400),
  floors: z.number().int().min(1).max(120),
  gfaM2: z.number().finite().positive(),
  use: z.enum(BUILDING_USES),
  /** People the building is designed to hold at once; occupancy is a share of this. */
  capacityPeople: z.number().int().min(0),
  landmark: z.boolean(),
  address: z.string().optional(),
  ...provenance,
});
export type Building = z.infer<typeof Building>;

export const Road = z.strictObject({ id: Id, name: Bilingual, line: Line, widthM: z.number().positive(), ...provenance });
export type Road = z.infer<typeof Road>;

export const Water = z.strictObject({ id: Id, name: Bilingual, polygon: Ring, ...provenance });
export type Water = z.infer<typeof Water>;

/** A bridge over the river, drawn as a deck (its line is the deck's centre line, approaches included). */
export const Bridge = z.strictObject({ id: Id, name: Bilingual, line: Line, widthM: z.number().positive(), ...provenance });
export type Bridge = z.infer<typeof Bridge>;

export const CONTEXT_KINDS = ['land', 'park', 'expo'] as const;
/** Land outside the district drawn low and quiet for orientation (the Pudong bank, the Expo site, Houtan Park). */
export const ContextArea = z.strictObject({ id: Id, name: Bilingual, kind: z.enum(CONTEXT_KINDS), polygon: Ring, ...provenance });
export type ContextArea = z.infer<typeof ContextArea>;

export const Geography = z.strictObject({
  /** Origin of the local metric frame. */
  origin: z.strictObject({ lat: z.number().min(31).max(31.3), lon: z.number().min(121.3).max(121.6) }),
  /** Outline of the whole riverside district (ground plate). */
  boundary: z.strictObject({ polygon: Ring, ...provenance }),
  water: z.array(Water).min(1),
  roads: z.array(Road),
  /** Optional so older data sets still load. */
  bridges: z.array(Bridge).optional(),
  context: z.array(ContextArea).optional(),
});
export type Geography = z.infer<typeof Geography>;

export const DistrictFile = z.strictObject({
  name: Bilingual,
  geography: Geography,
  clusters: z.array(Cluster).length(6, 'the district has exactly six clusters'),
  buildings: z.array(Building).min(1),
});
export type DistrictFile = z.infer<typeof DistrictFile>;

export const INDUSTRIES = [
  'foundation-models',
  'ai-applications',
  'compute',
  'data-services',
  'research',
  'media',
  'finance',
  'life-science',
  'culture',
  'hospitality',
  'retail',
  'services',
] as const;
export type Industry = (typeof INDUSTRIES)[number];

export const ComputeAllocation = z.strictObject({
  supplierId: Id,
  /** Share of the supplier's pool reserved for this tenant, in PFLOPS. */
  pflops: z.number().finite().positive(),
});

export const Company = z.strictObject({
  id: Id,
  name: Bilingual,
  industry: z.enum(INDUSTRIES),
  buildingId: Id,
  floors: z.array(z.number().int().min(-5).max(120)).min(1),
  headcount: z.number().int().min(0),
  registeredModels: z.number().int().min(0),
  /** In the 模速空间 community. */
  mosu: z.boolean(),
  compute: ComputeAllocation.optional(),
  ...provenance,
});
export type Company = z.infer<typeof Company>;

export const CompaniesFile = z.strictObject({ companies: z.array(Company) });
export type CompaniesFile = z.infer<typeof CompaniesFile>;

export const Supplier = z.strictObject({
  id: Id,
  name: Bilingual,
  capacityPflops: z.number().finite().positive(),
  note: Bilingual.optional(),
  ...provenance,
});
export type Supplier = z.infer<typeof Supplier>;

export const SuppliersFile = z.strictObject({ suppliers: z.array(Supplier).length(9, 'the scheduling platform connects 9 suppliers') });
export type SuppliersFile = z.infer<typeof SuppliersFile>;

/** What `GET /api/v1/district` returns: the three files, joined, plus the version that frames refer to. */
export interface District extends DistrictFile {
  /** Hash of the data files; frames and snapshots carry it so a client can tell its district is out of date. */
  version: number;
  companies: Company[];
  suppliers: Supplier[];
}

/** The data files, relative to the data directory. */
export const DATA_FILES = {
  district: 'district.json',
  companies: 'companies.json',
  suppliers: 'suppliers.json',
} as const;
