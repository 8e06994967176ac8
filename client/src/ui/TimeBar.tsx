/**
 * Time: a scrubber over the history the server keeps (HISTORY_DAYS), play forward at 1× / 60× / 600×, back to live,
 * and compare with a week earlier. In replay a banner names the replayed time (Shanghai) in both languages, so a past
 * minute is never taken for live. Every change goes through the store's actions (setTime, play, setCompare).
 */
import { useEffect, useRef, useState } from 'react';
import { useTwin } from '../state/store.ts';
import { serverNowMs } from '../state/frameSources.ts';
import { formatShanghaiMinute } from './format.ts';
import { T } from './strings.ts';
import { TX } from './explorerStrings.ts';

const MINUTE_MS = 60_000;
export const PLAY_SPEEDS = [1, 60, 600] as const;

export function TimeBar() {
  const lang = useTwin((s) => s.view.lang);
  const mode = useTwin((s) => s.view.mode);
  const compare = useTwin((s) => s.view.compare);
  const historyDays = useTwin((s) => s.historyDays);
  const replay = useTwin((s) => s.replay);
  const { setTime, play, setCompare } = useTwin((s) => s.actions);
  const other = lang === 'zh' ? 'en' : 'zh';
  const [open, setOpen] = useState(mode.kind === 'replay' || compare.kind !== 'off');
  const isReplay = mode.kind === 'replay';
  // the scrubber's range is refreshed with the minute, not on every render
  const [nowMin, setNowMin] = useState(() => Math.floor(serverNowMs() / MINUTE_MS) * MINUTE_MS);
  useEffect(() => {
    const id = window.setInterval(() => setNowMin(Math.floor(serverNowMs() / MINUTE_MS) * MINUTE_MS), 15_000);
    return () => window.clearInterval(id);
  }, []);
  useEffect(() => {
    if (isReplay || compare.kind !== 'off') setOpen(true);
  }, [isReplay, compare.kind]);

  const minMs = nowMin - Math.max(historyDays, 1) * 86_400_000;
  const value = isReplay ? mode.atMs : nowMin;
  // dragging shows the time at once; the minute is asked for when the thumb rests (input) — cheap either way
  const drag = useRef<number | null>(null);
  const [dragMs, setDragMs] = useState<number | null>(null);

  if (!open) {
    return (
      <button type="button" className="timebar-open panel panel--pill" data-testid="timebar-open" onClick={() => setOpen(true)}>
        <span aria-hidden="true">◷ </span>
        {TX.history[lang]} <span className="timebar__other">{TX.history[other]}</span>
      </button>
    );
  }

  const shown = dragMs ?? value;
  return (
    <section className={`timebar panel${isReplay ? ' timebar--replay' : ''}`} data-testid="timebar" aria-label={`${TX.time.zh} / ${TX.time.en}`}>
      {isReplay ? (
        <div className="replay-banner" data-testid="replay-banner" role="status">
          <strong>
            {TX.replay[lang]} <span className="timebar__other">{TX.replay[other]}</span>
          </strong>
          <span className="replay-banner__time" data-testid="replay-time">
            {formatShanghaiMinute(mode.atMs)}
          </span>
          {replay.loading && <span className="replay-banner__note">{`${TX.loading[lang]} · ${TX.loading[other]}`}</span>}
          {replay.error && <span className="replay-banner__note replay-banner__note--bad">{`${TX.replayFailed[lang]} · ${TX.replayFailed[other]}: ${replay.error}`}</span>}
        </div>
      ) : (
        <div className="replay-banner replay-banner--live">
          <strong>
            {T.status.live[lang]} <span className="timebar__other">{T.status.live[other]}</span>
          </strong>
          <span className="replay-banner__time">{TX.dragToReplay[lang]}</span>
        </div>
      )}
      <input
        type="range"
        className="timebar__scrub"
        data-testid="time-scrubber"
        min={minMs}
        max={nowMin}
        step={MINUTE_MS}
        value={Math.min(Math.max(shown, minMs), nowMin)}
        aria-label={`${TX.time.zh} / ${TX.time.en}`}
        aria-valuetext={formatShanghaiMinute(shown)}
        onChange={(e) => {
          const ms = Number(e.currentTarget.value);
          drag.current = ms;
          setDragMs(ms);
          setTime(ms >= nowMin ? 'live' : ms);
        }}
        onPointerUp={() => {
          drag.current = null;
          setDragMs(null);
        }}
        onBlur={() => setDragMs(null)}
      />
      <div className="timebar__row">
        {PLAY_SPEEDS.map((speed) => (
          <button
            key={speed}
            type="button"
            className={`chip${isReplay && mode.speed === speed ? ' is-active' : ''}`}
            data-testid={`play-${speed}`}
            aria-pressed={isReplay && mode.speed === speed}
            disabled={!isReplay}
            onClick={() => play(isReplay && mode.speed === speed ? 0 : speed)}
            title={`${TX.play[lang]} ${speed}× / ${TX.play[other]} ${speed}×`}
          >
            ▶ {speed}×
          </button>
        ))}
        <button type="button" className="chip" data-testid="back-to-live" disabled={!isReplay} onClick={() => setTime('live')}>
          {TX.backToLive[lang]} <span className="timebar__other">{TX.backToLive[other]}</span>
        </button>
        <button
          type="button"
          className={`chip${compare.kind !== 'off' ? ' is-active' : ''}`}
          data-testid="compare-week"
          aria-pressed={compare.kind !== 'off'}
          onClick={() => setCompare(compare.kind === 'off' ? { kind: 'week' } : { kind: 'off' })}
        >
          {TX.compareWeek[lang]} <span className="timebar__other">{TX.compareWeek[other]}</span>
        </button>
        <button type="button" className="chip chip--close" aria-label={`${TX.close.zh} / ${TX.close.en}`} onClick={() => setOpen(false)} hidden={isReplay || compare.kind !== 'off'}>
          ×
        </button>
      </div>
    </section>
  );
}
