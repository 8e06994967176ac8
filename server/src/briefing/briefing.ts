/**
 * The briefing feature in one registration call: loads and validates the stories (a damaged story stops the server),
 * serves them over REST, and runs the presenter groups on the `/briefing` Socket.IO namespace.
 */
import type { FastifyInstance } from 'fastify';
import type { Server } from 'socket.io';
import type { District } from '../../../models/district.ts';
import type { StoryListResponse, StoryResponse } from '../../../models/story.ts';
import type { AppOptions } from '../config.ts';
import { loadStories, type StoryLibrary } from './story.loader.ts';
import { BriefingGroups, type GroupBackend } from './briefing.groups.ts';
import { registerBriefingNamespace, type BriefingNamespace } from './briefing.namespace.ts';

export interface Briefing {
  library: StoryLibrary;
  groups: BriefingGroups;
  nsp: BriefingNamespace;
}

/** `backend`: where the groups live; this process when omitted (ROLE=all), Redis on a gateway (briefing.redis.ts). */
export async function registerBriefing(http: FastifyInstance, io: Server, district: District, options: AppOptions, backend?: GroupBackend): Promise<Briefing> {
  const library = await loadStories(options.datasetDir, district);

  const list: StoryListResponse = {
    stories: [...library.stories.values()].map((s) => ({ id: s.id, title: s.title, summary: s.summary, steps: s.steps.length })),
  };
  http.get('/api/v1/stories', async (): Promise<StoryListResponse> => list);
  http.get<{ Params: { id: string } }>('/api/v1/stories/:id', async (req, reply) => {
    const story = library.stories.get(req.params.id);
    if (!story) return reply.code(404).send({ error: `no story ${JSON.stringify(req.params.id)}; GET /api/v1/stories lists them` });
    const ids = new Set(story.steps.flatMap((s) => s.figures.flatMap((f) => (f.kind === 'fact' ? [f.id] : []))));
    const res: StoryResponse = { story, facts: [...ids].map((id) => library.facts.get(id)!) };
    return res;
  });

  let nsp: BriefingNamespace | null = null;
  const groups = new BriefingGroups({
    stories: library.stories,
    presenterTimeoutS: options.presenterTimeoutS,
    now: options.now,
    emit: (state) => nsp?.to(`group:${state.group}`).emit('briefing:state', state),
    backend,
  });
  const ns = registerBriefingNamespace(io, { groups, presenterPin: options.presenterPin, now: options.now, log: http.log });
  nsp = ns.nsp;
  http.addHook('onClose', async () => {
    ns.stop();
    groups.close();
  });
  if (options.presenterPin === null) http.log.info('briefing: presenter control is off (set PRESENTER_PIN to turn it on)');
  return { library, groups, nsp: ns.nsp };
}
