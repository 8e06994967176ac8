/**
 * Loads the district data set from a data directory: reads the three files, parses them (a syntax error names the
 * file, line, column and offset), validates each against its zod schema, then checks cross-record consistency.
 * Any problem throws a `DataError` that lists every issue, one per line, as `data/<file>: <record>: <field>: <message>`.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import {
  CompaniesFile,
  DATA_FILES,
  DistrictFile,
  SuppliersFile,
  type District,
} from '../../../models/district.ts';
import { checkDistrictConsistency, recordLabel, type DataIssue } from '../../../models/district.validate.ts';

export type { DataIssue };

export const formatIssue = (i: DataIssue): string => `data/${i.file}: ${i.record}: ${i.field}: ${i.message}`;

export class DataError extends Error {
  readonly issues: DataIssue[];
  constructor(issues: DataIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'DataError';
    this.issues = issues;
  }
}

type FileKey = keyof typeof DATA_FILES;
const SCHEMAS = { district: DistrictFile, companies: CompaniesFile, suppliers: SuppliersFile } as const;

export async function loadDistrict(dataDir: string): Promise<District> {
  const keys = Object.keys(DATA_FILES) as FileKey[];
  const issues: DataIssue[] = [];

  const bytes = await Promise.all(
    keys.map(async (key) => {
      const file = DATA_FILES[key];
      try {
        return await readFile(join(dataDir, file));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? String(err);
        issues.push({ file, record: '(file)', field: '(file)', message: `cannot read ${join(dataDir, file)}: ${code}` });
        return null;
      }
    }),
  );

  const parsed: Partial<Record<FileKey, unknown>> = {};
  keys.forEach((key, k) => {
    const buf = bytes[k];
    if (!buf) return;
    const file = DATA_FILES[key];
    const text = buf.toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      const offset = jsonErrorOffset(text);
      const { line, column } = lineColumn(text, offset);
      issues.push({
        file,
        record: `line ${line}, column ${column} (offset ${offset})`,
        field: '(JSON syntax)',
        message: (err as Error).message,
      });
      return;
    }
    const result = SCHEMAS[key].safeParse(json);
    if (result.success) parsed[key] = result.data;
    else issues.push(...zodIssues(file, json, result.error.issues));
  });
  if (issues.length) throw new DataError(issues);

  const district = parsed.district as DistrictFile;
  const companies = parsed.companies as CompaniesFile;
  const suppliers = parsed.suppliers as SuppliersFile;
  const consistency = checkDistrictConsistency({ district, companies, suppliers });
  if (consistency.length) throw new DataError(consistency);

  const hash = createHash('sha256');
  for (const b of bytes) hash.update(b!);
  const version = hash.digest().readUInt32BE(0);

  return { ...district, version, companies: companies.companies, suppliers: suppliers.suppliers };
}

/** Maps zod issue paths (`['buildings', 12, 'heightM']`) to `buildings[12] (id "xyz")` + `heightM`. */
function zodIssues(file: string, root: unknown, zissues: readonly z.core.$ZodIssue[]): DataIssue[] {
  const out: DataIssue[] = [];
  for (const issue of zissues) {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const { record, rest } = splitPath(root, path);
    if (unknownKeys.length) {
      for (const key of unknownKeys) {
        out.push({ file, record, field: [...rest, key].join('.'), message: `unknown field ${JSON.stringify(key)} (not in the schema)` });
      }
    } else {
      out.push({ file, record, field: rest.length ? rest.join('.') : '(record)', message: issue.message });
    }
  }
  return out;
}

/**
 * The record is the path up to the first array index (`geography.roads[2] (id "x")`); the field is the rest.
 * Without an index, the record is the enclosing object (`geography.origin`) or `(file)` at the top level.
 */
function splitPath(root: unknown, path: (string | number)[]): { record: string; rest: string[] } {
  const idx = path.findIndex((p) => typeof p === 'number');
  if (idx >= 0) {
    let node: unknown = root;
    for (const p of path.slice(0, idx + 1)) node = node != null && typeof node === 'object' ? (node as Record<string | number, unknown>)[p] : undefined;
    const id = node != null && typeof node === 'object' ? (node as { id?: unknown }).id : undefined;
    return { record: recordLabel(path.slice(0, idx).join('.'), path[idx] as number, id), rest: path.slice(idx + 1).map(String) };
  }
  if (path.length <= 1) return { record: '(file)', rest: path.map(String) };
  return { record: path.slice(0, -1).join('.'), rest: [String(path[path.length - 1])] };
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Offset of the first JSON syntax error in `s` (V8's messages do not always carry a position).
 * A strict RFC 8259 scanner; returns `s.length` for an unexpected end of input.
 */
export function jsonErrorOffset(s: string): number {
  let i = 0;
  class Stop {
    constructor(readonly at: number) {}
  }
  const fail = (): never => {
    throw new Stop(i);
  };
  const ws = (): void => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++;
  };
  const str = (): void => {
    i++; // opening quote
    while (i < s.length) {
      const ch = s.charCodeAt(i);
      if (ch === 34) {
        i++;
        return;
      }
      if (ch === 92) {
        i++;
        if (i < s.length && '"\\/bfnrt'.includes(s[i]!)) i++;
        else if (s[i] === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) i += 5;
        else fail();
        continue;
      }
      if (ch < 32) fail();
      i++;
    }
    fail();
  };
  const NUM = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const value = (): void => {
    ws();
    const c = s[i];
    if (c === '{') {
      i++;
      ws();
      if (s[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (s[i] !== '"') fail();
        str();
        ws();
        if (s[i] !== ':') fail();
        i++;
        value();
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === '}') {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (s[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === ']') {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '"') return str();
    NUM.lastIndex = i;
    if (NUM.test(s)) {
      i = NUM.lastIndex;
      return;
    }
    for (const lit of ['true', 'false', 'null']) {
      if (s.startsWith(lit, i)) {
        i += lit.length;
        return;
      }
    }
    fail();
  };
  try {
    value();
    ws();
    if (i < s.length) fail();
    return s.length;
  } catch (e) {
    if (e instanceof Stop) return e.at;
    throw e;
  }
}
