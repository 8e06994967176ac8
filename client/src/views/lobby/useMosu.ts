/** `GET /api/v1/mosu`, fetched once and retried with backoff until it arrives (a wall must recover by itself). */
import { useEffect, useState } from 'react';
import type { MosuResponse } from '@models/mosu.ts';

export type MosuLoad = { mosu: MosuResponse; error: null } | { mosu: null; error: string | null };

export function useMosu(): MosuLoad {
  const [load, setLoad] = useState<MosuLoad>({ mosu: null, error: null });
  useEffect(() => {
    let cancelled = false;
    let delay = 1000;
    let timer = 0;
    const attempt = async () => {
      try {
        const res = await fetch('/api/v1/mosu', { headers: { accept: 'application/json' }, cache: 'no-store' });
        if (!res.ok) throw new Error(`GET /api/v1/mosu → ${res.status}`);
        const mosu = (await res.json()) as MosuResponse;
        if (!cancelled) setLoad({ mosu, error: null });
      } catch (err) {
        if (cancelled) return;
        setLoad({ mosu: null, error: err instanceof Error ? err.message : String(err) });
        timer = window.setTimeout(() => void attempt(), delay);
        delay = Math.min(delay * 2, 10_000);
      }
    };
    void attempt();
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, []);
  return load;
}
