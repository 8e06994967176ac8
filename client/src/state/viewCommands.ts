/**
 * Commands from DOM panels to the scene, and DOM elements the scene updates by mutation. Plain module state: pressing
 * a button must not re-render the Canvas, and the compass turns with the camera without React.
 */
export const viewCommands = {
  /** Fly back to the home view; installed by the camera rig while it is mounted. */
  resetView: (): void => {},
  /** Turn to a north-up view, keeping the target. */
  northUp: (): void => {},
  /** The compass needle the camera rig rotates (set by the compass component). */
  compassNeedle: null as HTMLElement | null,
};
