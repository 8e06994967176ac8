/**
 * 模速空间 (ModelSpeed Space, the Shanghai Foundation Model Innovation Center): its services platforms, and its tenants'
 * roles in the model-industry chain with the upstream/downstream links between them ("上下楼就是上下游"). Its sourced
 * figures are not typed here: it names facts of data/facts.json by id (their one home), checked at start-up and
 * resolved into `GET /api/v1/mosu`. The file is `data/mosu.json` (written by data/generate.ts), validated at start-up
 * against `MosuFile` and `checkMosuConsistency`, and drawn by the `/lobby` wall.
 * Pools themselves (capacity, allocated, in use) are not here: they are suppliers.json + live state.
 */
import { z } from 'zod';
import { Bilingual, Id, provenance, type District } from './district.ts';
import { recordLabel, type DataIssue } from './district.validate.ts';
import { FACTS_FILE, type Fact } from './story.ts';

export const MOSU_FILE = 'mosu.json';

/** The model-industry chain, upstream first (district-facts.md: base models, applications, scenario design, compute, marketing). */
export const CHAIN_ROLES = ['compute', 'foundation-models', 'applications', 'scenarios', 'marketing'] as const;
export type ChainRole = (typeof CHAIN_ROLES)[number];

export const MosuPlatform = z.strictObject({
  id: Id,
  name: Bilingual,
  what: Bilingual,
  /** Ids of facts in data/facts.json shown with this platform. */
  factIds: z.array(Id),
  ...provenance,
});
export type MosuPlatform = z.infer<typeof MosuPlatform>;

export const MosuTenant = z.strictObject({
  companyId: Id,
  /** Short name for the wall's floor chips (the full name is in companies.json). */
  label: Bilingual,
  role: z.enum(CHAIN_ROLES),
  ...provenance,
});
export type MosuTenant = z.infer<typeof MosuTenant>;

/** `from` supplies `to` (upstream → downstream). */
export const MosuLink = z.strictObject({ from: Id, to: Id, ...provenance });
export type MosuLink = z.infer<typeof MosuLink>;

export const MosuFile = z.strictObject({
  buildingId: Id,
  name: Bilingual,
  subtitle: Bilingual,
  motto: z.strictObject({ text: Bilingual, ...provenance }),
  roles: z.array(z.strictObject({ id: z.enum(CHAIN_ROLES), name: Bilingual })).length(CHAIN_ROLES.length),
  platforms: z.array(MosuPlatform).length(5, '模速空间 has five services platforms'),
  tenants: z.array(MosuTenant).min(1),
  links: z.array(MosuLink),
  /** Id of the fact in data/facts.json that is the telecom link ("一跳入算"), shown beside the pools. */
  linkFactId: Id,
});
export type MosuFile = z.infer<typeof MosuFile>;

/** `GET /api/v1/mosu`: the file with the facts it names, resolved from data/facts.json (their one home). */
export type MosuResponse = MosuFile & { facts: Fact[] };

/** Every fact id the file names (platforms and the link), in order of first mention. */
export function mosuFactIds(mosu: MosuFile): string[] {
  return [...new Set([mosu.linkFactId, ...mosu.platforms.flatMap((p) => p.factIds)])];
}

/** Cross-references against the district and data/facts.json: the building, companies (in that building), facts and roles. */
export function checkMosuConsistency(mosu: MosuFile, district: Pick<District, 'buildings' | 'companies'>, factIds: ReadonlySet<string>): DataIssue[] {
  const issues: DataIssue[] = [];
  const push = (record: string, field: string, message: string) => issues.push({ file: MOSU_FILE, record, field, message });
  if (!district.buildings.some((b) => b.id === mosu.buildingId)) push('(file)', 'buildingId', `no building "${mosu.buildingId}" in district.json`);
  if (!factIds.has(mosu.linkFactId)) push('(file)', 'linkFactId', `no fact "${mosu.linkFactId}" in ${FACTS_FILE}`);
  const roleIds = new Set(mosu.roles.map((r) => r.id));
  if (roleIds.size !== CHAIN_ROLES.length) push('(file)', 'roles', `every chain role once: ${CHAIN_ROLES.join(', ')}`);
  mosu.platforms.forEach((p, i) => {
    for (const f of p.factIds) if (!factIds.has(f)) push(recordLabel('platforms', i, p.id), 'factIds', `no fact "${f}" in ${FACTS_FILE}`);
  });
  const companies = new Map(district.companies.map((c) => [c.id, c]));
  const tenantIds = new Set<string>();
  mosu.tenants.forEach((t, i) => {
    const label = recordLabel('tenants', i, t.companyId);
    const c = companies.get(t.companyId);
    if (!c) push(label, 'companyId', `no company "${t.companyId}" in companies.json`);
    else if (c.buildingId !== mosu.buildingId) push(label, 'companyId', `company "${t.companyId}" is in "${c.buildingId}", not "${mosu.buildingId}"`);
    if (tenantIds.has(t.companyId)) push(label, 'companyId', 'listed twice');
    tenantIds.add(t.companyId);
  });
  mosu.links.forEach((l, i) => {
    const label = recordLabel('links', i);
    if (!tenantIds.has(l.from)) push(label, 'from', `"${l.from}" is not a tenant`);
    if (!tenantIds.has(l.to)) push(label, 'to', `"${l.to}" is not a tenant`);
    if (l.from === l.to) push(label, 'to', 'a tenant cannot link to itself');
  });
  return issues;
}
