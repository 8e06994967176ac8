/** `/`: the planner's explorer — the district, its labels and hover card, and the desktop panels. */
import { TwinCanvas } from '../scene/TwinCanvas.tsx';
import { LabelLayer } from '../scene/labels/LabelLayer.tsx';
import { HoverCard } from '../ui/HoverCard.tsx';
import { Hud } from '../ui/Hud.tsx';

export function ExplorerView() {
  return (
    <>
      <div className="stage">
        <TwinCanvas />
        <LabelLayer />
        <HoverCard />
        <div className="vignette" aria-hidden="true" />
      </div>
      <Hud />
    </>
  );
}
