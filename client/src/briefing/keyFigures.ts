/**
 * Key figures of a story step, resolved when shown (models/story.ts resolveFigure) from what the client already
 * receives: the district and pools from the store, occupancy from the live buffer, company states from the server
 * (GET /api/v1/state once, then `companies:update`), and the sourced facts that came with the story.
 */
import type { CompanyState, StateResponse } from '@models/api.ts';
import { Q_MAX } from '@models/frame.codec.ts';
import { decodeSnapshot } from '@models/snapshot.codec.ts';
import { resolveFigure, type Fact, type FigureInputs, type KeyFigureRef, type ResolvedFigure } from '@models/story.ts';
import { live, useTwin } from '../state/store.ts';
import { startSocket } from '../net/socket.ts';
import { useLiveDerived } from '../state/useLiveDerived.ts';

const companies = new Map<string, CompanyState>();
let companiesStarted = false;

/** Company states, kept current while a briefing view is open. */
function trackCompanies(): void {
  if (companiesStarted) return;
  companiesStarted = true;
  const apply = (list: readonly CompanyState[]) => list.forEach((c) => companies.set(c.companyId, c));
  const socket = startSocket();
  socket.on('companies:update', apply);
  socket.on('district:snapshot', (bytes) => apply(decodeSnapshot(bytes).companies));
  const load = () => fetch('/api/v1/state').then(async (r) => apply(((await r.json()) as StateResponse).companies), () => setTimeout(load, 5000));
  void load();
}

function inputs(facts: readonly Fact[]): FigureInputs | null {
  const { district, pools } = useTwin.getState();
  if (!district) return null;
  const occ = live.occupancyQ;
  return {
    district,
    companies: [...companies.values()],
    pools,
    occupancy: (i) => (live.hasFrame && i < occ.length && occ[i]! <= Q_MAX ? occ[i]! / Q_MAX : null),
    occupancySimulated: live.simulatedCount > 0 || live.ingestCount === 0,
    facts,
  };
}

/** The step's figures, re-resolved every second (values are live). Null until the district has loaded. */
export function useKeyFigures(refs: readonly KeyFigureRef[], facts: readonly Fact[]): ResolvedFigure[] | null {
  return useLiveDerived(() => {
    trackCompanies();
    const inp = inputs(facts);
    return inp ? refs.map((r) => resolveFigure(r, inp)) : null;
  }, [refs, facts]);
}
