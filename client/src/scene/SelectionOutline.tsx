/**
 * The selected building's outline: its footprint at the ground and the roof, and the corners between, drawn on top
 * of everything (so it shows even behind a taller neighbour). One small line object, rebuilt only on selection.
 */
import { useMemo } from 'react';
import { Line } from '@react-three/drei';
import type { District } from '@models/district.ts';
import { buildingIndexOf, useTwin } from '../state/store.ts';
import { projectRing } from './geometry.ts';
import { SCENE } from './palette.ts';

export function SelectionOutline({ district }: { district: District }) {
  const id = useTwin((s) => (s.view.selection?.kind === 'building' ? s.view.selection.id : null));
  const points = useMemo(() => {
    if (!id) return null;
    const b = district.buildings[buildingIndexOf(id)];
    if (!b) return null;
    const xz = projectRing(district.geography.origin, b.footprint);
    let n = xz.length / 2;
    if (n > 1 && xz[0] === xz[(n - 1) * 2] && xz[1] === xz[(n - 1) * 2 + 1]) n--;
    const pts: [number, number, number][] = [];
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      const [x0, z0, x1, z1] = [xz[i * 2]!, xz[i * 2 + 1]!, xz[j * 2]!, xz[j * 2 + 1]!];
      pts.push([x0, b.heightM + 0.5, z0], [x1, b.heightM + 0.5, z1]);
      pts.push([x0, 0.5, z0], [x1, 0.5, z1]);
      pts.push([x0, 0.5, z0], [x0, b.heightM + 0.5, z0]);
    }
    return pts;
  }, [id, district]);
  if (!points) return null;
  return <Line points={points} segments color={SCENE.selection} lineWidth={3} depthTest={false} depthWrite={false} renderOrder={20} />;
}
