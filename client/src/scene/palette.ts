/**
 * Scene context colours (ground, water, roads, light). Not data colours: those come only from models/colour.ts.
 * Chosen dark and desaturated so the viridis-coloured buildings carry the picture.
 */
export const SCENE = {
  background: '#070b12',
  grid: { cell: '#111a26', section: '#1b2838' },
  ground: '#121b27',
  water: '#0d2b40',
  waterEdge: '#4f9ccc',
  road: '#253142',
  landmarkOutline: '#ffe3ad',
  /** Context across the river: the Pudong bank, the Expo site, Houtan Park — quieter than the district plate. */
  context: { land: '#0d141d', expo: '#141c28', park: '#12201c' },
  bridge: '#5d6b80',
  /** The selected building's outline: a hue neither viridis nor the compare ramp produces, drawn over everything. */
  selection: '#ff4fd8',
} as const;
