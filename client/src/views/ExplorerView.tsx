/** `/`: the planner's explorer — the district, its labels and hover card, the desktop panels, click to select and inspect, time and compare. */
import { useRef } from 'react';
import { TwinCanvas } from '../scene/TwinCanvas.tsx';
import { LabelLayer } from '../scene/labels/LabelLayer.tsx';
import { useClickSelect } from '../scene/useClickSelect.ts';
import { HoverCard } from '../ui/HoverCard.tsx';
import { Hud } from '../ui/Hud.tsx';
import { InspectPanel } from '../ui/InspectPanel.tsx';
import { TimeBar } from '../ui/TimeBar.tsx';
import '../ui/explorer.css';

export function ExplorerView() {
  const stage = useRef<HTMLDivElement>(null);
  useClickSelect(stage);
  return (
    <>
      <div className="stage" ref={stage}>
        <TwinCanvas />
        <LabelLayer />
        <HoverCard />
        <div className="vignette" aria-hidden="true" />
      </div>
      <Hud />
      <div className="explorer-panels">
        <div className="explorer-panels__time" data-label-obstacle>
          <TimeBar />
        </div>
        <div className="explorer-panels__inspect" data-label-obstacle>
          <InspectPanel />
        </div>
      </div>
    </>
  );
}
