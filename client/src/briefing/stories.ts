/** Stories from the server (GET /api/v1/stories, /api/v1/stories/:id), fetched once per id and kept. */
import { useEffect, useState } from 'react';
import type { StoryListResponse, StoryResponse } from '@models/story.ts';

const cache = new Map<string, Promise<StoryResponse>>();
let listPromise: Promise<StoryListResponse> | null = null;

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET ${url} → ${res.status}`);
  return (await res.json()) as T;
}

export function fetchStoryList(): Promise<StoryListResponse> {
  listPromise ??= getJson<StoryListResponse>('/api/v1/stories').catch((err: unknown) => {
    listPromise = null;
    throw err;
  });
  return listPromise;
}

export function fetchStory(id: string): Promise<StoryResponse> {
  let p = cache.get(id);
  if (!p) {
    p = getJson<StoryResponse>(`/api/v1/stories/${encodeURIComponent(id)}`);
    p.catch(() => cache.delete(id));
    cache.set(id, p);
  }
  return p;
}

export function useStoryList(): StoryListResponse['stories'] | null {
  const [list, setList] = useState<StoryListResponse['stories'] | null>(null);
  useEffect(() => {
    let live = true;
    const load = () => fetchStoryList().then((l) => live && setList(l.stories), () => live && setTimeout(load, 2000));
    load();
    return () => {
      live = false;
    };
  }, []);
  return list;
}

/** The story `id` (null = none): retried until the server answers. */
export function useStory(id: string | null): StoryResponse | null {
  const [story, setStory] = useState<StoryResponse | null>(null);
  useEffect(() => {
    if (!id) return setStory(null);
    let live = true;
    const load = () => fetchStory(id).then((s) => live && setStory(s), () => live && setTimeout(load, 2000));
    load();
    return () => {
      live = false;
    };
  }, [id]);
  return story && story.story.id === id ? story : null;
}
