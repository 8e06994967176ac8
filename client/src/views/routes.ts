/**
 * The five views of PRODUCT.md, chosen by path. Every view reads and sets the same view state (state/store.ts);
 * they differ in chrome and in who drives the state (a person, the tour loop, a story, a remote).
 */
export const VIEW_PATHS = ['/', '/tour', '/briefing', '/remote', '/lobby'] as const;
export type ViewPath = (typeof VIEW_PATHS)[number];

export function viewPathOf(pathname: string): ViewPath {
  const p = pathname.replace(/\/+$/, '') || '/';
  return (VIEW_PATHS as readonly string[]).includes(p) ? (p as ViewPath) : '/';
}
