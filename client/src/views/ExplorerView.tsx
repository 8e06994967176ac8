/** `/`: the planner's explorer — the district, its labels and hover card, the desktop panels, click to select and inspect, time and compare, and the planner's tools (ui/ToolDock.tsx). */
import { useEffect, useLayoutEffect, useRef } from 'react';
import { TwinCanvas } from '../scene/TwinCanvas.tsx';
import { LabelLayer } from '../scene/labels/LabelLayer.tsx';
import { useClickSelect } from '../scene/useClickSelect.ts';
import { HoverCard } from '../ui/HoverCard.tsx';
import { Hud } from '../ui/Hud.tsx';
import { InspectPanel } from '../ui/InspectPanel.tsx';
import { TimeBar } from '../ui/TimeBar.tsx';
import { ToolDock } from '../ui/ToolDock.tsx';
import { startToolRuntime } from '../state/toolRuntime.ts';
import '../ui/explorer.css';

export function ExplorerView() {
  const stage = useRef<HTMLDivElement>(null);
  useClickSelect(stage);
  // alert rules are evaluated on every live frame from now on, whichever tool tab is open
  useEffect(() => startToolRuntime(), []);
  // the left column (time bar, tools) ends above the legend, whatever its height in this language and size
  const left = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const legend = document.querySelector<HTMLElement>('.hud__bottom-left');
    const column = left.current;
    if (!legend || !column) return;
    const fit = () => column.style.setProperty('--legend-room', `${Math.ceil(legend.getBoundingClientRect().height)}px`);
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(legend);
    return () => observer.disconnect();
  }, []);
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
        <div className="explorer-panels__left" ref={left}>
          <div className="explorer-panels__time" data-label-obstacle>
            <TimeBar />
          </div>
          <div className="explorer-panels__tools">
            <ToolDock />
          </div>
        </div>
        <div className="explorer-panels__inspect" data-label-obstacle>
          <InspectPanel />
        </div>
      </div>
    </>
  );
}
