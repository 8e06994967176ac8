/**
 * A value derived from live data that is not React state (the live buffer, the store read with getState): recomputed
 * every second while mounted, and committed to React only when it changes (compared as JSON), so a caption or a key
 * figure re-renders when its text would change, not once a second.
 */
import { useEffect, useState, type DependencyList } from 'react';

export function useLiveDerived<T>(compute: () => T | null, deps: DependencyList): T | null {
  const [value, setValue] = useState<T | null>(null);
  useEffect(() => {
    let last: string | undefined;
    const update = () => {
      const next = compute();
      const key = JSON.stringify(next);
      if (key !== last) {
        last = key;
        setValue(next);
      }
    };
    update();
    const id = window.setInterval(update, 1000);
    return () => window.clearInterval(id);
    // compute is read afresh with each change of deps (the caller's inputs)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return value;
}
