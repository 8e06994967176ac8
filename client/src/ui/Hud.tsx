/** The DOM panels over the scene. */
import { Legend } from './Legend.tsx';
import { LangSwitch } from './LangSwitch.tsx';
import { LoadingOverlay } from './LoadingOverlay.tsx';
import { SimulatedBadge } from './SimulatedBadge.tsx';
import { StatusBadge } from './StatusBadge.tsx';
import { TitleBlock } from './TitleBlock.tsx';
import { ViewControls } from './ViewControls.tsx';

export function Hud() {
  return (
    <div className="hud">
      <div className="hud__top-left" data-label-obstacle>
        <TitleBlock />
      </div>
      <div className="hud__top-right" data-label-obstacle>
        <SimulatedBadge />
        <StatusBadge />
        <LangSwitch />
      </div>
      <div className="hud__bottom-left" data-label-obstacle>
        <Legend />
      </div>
      <div className="hud__bottom-right" data-label-obstacle>
        <ViewControls />
      </div>
      <LoadingOverlay />
    </div>
  );
}
