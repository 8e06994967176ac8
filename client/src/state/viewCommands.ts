/**
 * DOM elements the scene updates by mutation (the compass turns with the camera without React). Commands that change
 * the view (reset view, north up, fly to, select, …) are the store's `actions` (store.ts).
 */
export const viewCommands = {
  /** The compass needle the camera rig rotates (set by the compass component). */
  compassNeedle: null as HTMLElement | null,
};
