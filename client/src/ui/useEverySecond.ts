import { useEffect, useRef } from 'react';

/**
 * Run `tick` now and about once a second, for panels that show clocks and ages. The callback mutates its own DOM
 * (textContent, data attributes) so the live buffer can be read without React re-rendering anything.
 */
export function useEverySecond(tick: () => void, deps: readonly unknown[]): void {
  const ref = useRef(tick);
  ref.current = tick;
  // restarted when `deps` change (e.g. the language), so the text updates at once
  useEffect(() => {
    ref.current();
    const id = window.setInterval(() => ref.current(), 1000);
    return () => window.clearInterval(id);
  }, deps);
}
