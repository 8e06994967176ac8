/**
 * `/remote`: the presenter's tablet. Join a group with its code and the presenter PIN; then the story's steps with
 * notes, next/back, jump to a step, metric and language of the wall, blank, back to the attract loop, and control:
 * who holds it, take it when free, hand it over. Every button sends a command the server validates and authorises;
 * what the remote shows is the state the server sends back, the same the screens get.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { BriefingCommand, BriefingState, RemoteJoined } from '@models/briefing.ts';
import type { BriefingAck } from '@models/events.ts';
import type { Bilingual } from '@models/district.ts';
import { METRIC_IDS, METRICS } from '@models/metrics.ts';
import type { Lang } from '@models/view.ts';
import { useLang } from '../briefing/applyStep.ts';
import { openBriefingSocket, request, type BriefingSocket } from '../briefing/briefingSocket.ts';
import { useStory, useStoryList } from '../briefing/stories.ts';
import { B, REFUSAL } from '../briefing/strings.ts';
import '../briefing/briefing.css';

const NAME_KEY = 'westbund.presenterName';

function T({ t, lang }: { t: Bilingual; lang: Lang }) {
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  return (
    <>
      <span lang={lang === 'zh' ? 'zh-CN' : 'en'}>{t[lang]}</span>
      <span className="remote__other" lang={other === 'zh' ? 'zh-CN' : 'en'}>
        {t[other]}
      </span>
    </>
  );
}

export function RemoteView() {
  const uiLang = useLang();
  const params = new URLSearchParams(window.location.search);
  const [group, setGroup] = useState(params.get('group') ?? '');
  const [pin, setPin] = useState('');
  const [name, setName] = useState(() => {
    try {
      return window.localStorage.getItem(NAME_KEY) ?? '';
    } catch {
      return '';
    }
  });
  const [state, setState] = useState<BriefingState | null>(null);
  const [me, setMe] = useState<string | null>(null);
  const [error, setError] = useState<{ code: keyof typeof REFUSAL; detail: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const socketRef = useRef<BriefingSocket | null>(null);
  const credentials = useRef<{ group: string; pin: string; name?: string } | null>(null);

  useEffect(() => {
    const socket = openBriefingSocket(
      (s) => setState(s),
      (s) => {
        // after a reconnect, join again with the same credentials (a new connection is a new presenter id)
        const c = credentials.current;
        if (c) void request<RemoteJoined>(s, 'remote:join', c).then(onJoined);
      },
    );
    socketRef.current = socket;
    return () => {
      socket.close();
    };
  }, []);

  const onJoined = (res: BriefingAck<RemoteJoined>) => {
    if (res.ok) {
      setMe(res.data.presenterId);
      setState(res.data.state);
      setError(null);
    } else {
      credentials.current = null;
      setMe(null);
      setError({ code: res.code, detail: res.error });
    }
  };

  const join = async (e: FormEvent) => {
    e.preventDefault();
    const socket = socketRef.current;
    if (!socket) return;
    const c = { group: group.trim(), pin, ...(name.trim() ? { name: name.trim() } : {}) };
    try {
      window.localStorage.setItem(NAME_KEY, name.trim());
    } catch {
      // storage off: the name is only a courtesy
    }
    setBusy(true);
    credentials.current = c;
    onJoined(await request<RemoteJoined>(socket, 'remote:join', c));
    setBusy(false);
  };

  const send = async (event: 'briefing:command' | 'control:request' | 'control:handover', payload: unknown) => {
    const socket = socketRef.current;
    if (!socket) return;
    const res = await request<BriefingState>(socket, event, payload);
    if (res.ok) {
      setState(res.data);
      setError(null);
    } else setError({ code: res.code, detail: res.error });
  };
  const command = (cmd: BriefingCommand) => void send('briefing:command', cmd);

  const lang: Lang = state?.lang ?? uiLang;
  const list = useStoryList();
  const story = useStory(state?.storyId ?? list?.[0]?.id ?? null);

  if (!state || !me) {
    return (
      <main className="remote" data-joined="0" lang={lang === 'zh' ? 'zh-CN' : 'en'}>
        <h1 className="remote__title">
          <T t={B.remoteTitle!} lang={lang} />
        </h1>
        <form className="remote__join" onSubmit={(e) => void join(e)}>
          <label>
            <T t={B.groupCode!} lang={lang} />
            <input name="group" value={group} onChange={(e) => setGroup(e.target.value)} autoCapitalize="characters" autoComplete="off" required pattern="[A-Za-z0-9]{3,8}" />
          </label>
          <label>
            <T t={B.pin!} lang={lang} />
            <input name="pin" type="password" inputMode="numeric" value={pin} onChange={(e) => setPin(e.target.value)} autoComplete="off" required />
          </label>
          <label>
            <T t={B.yourName!} lang={lang} />
            <input name="name" value={name} onChange={(e) => setName(e.target.value)} maxLength={40} />
          </label>
          <button type="submit" className="remote__button remote__button--primary" disabled={busy}>
            <T t={B.join!} lang={lang} />
          </button>
        </form>
        {error && <Refusal error={error} lang={lang} />}
      </main>
    );
  }

  const steps = story?.story.steps ?? [];
  const inControl = state.controllerId === me;
  const shownStep = state.mode === 'story' ? steps[state.step] : undefined;
  const metric = state.metric ?? shownStep?.view.metric ?? null;
  const holder = state.presenters.find((p) => p.id === state.controllerId);
  const others = state.presenters.filter((p) => p.id !== me);
  return (
    <main className="remote" data-joined="1" data-control={inControl ? '1' : '0'} data-step={state.mode === 'story' ? state.step : ''} data-mode={state.mode} lang={lang === 'zh' ? 'zh-CN' : 'en'}>
      <header className="remote__header">
        <span className="remote__group">
          <T t={B.group!} lang={lang} /> <strong>{state.group}</strong>
        </span>
        <span className="remote__holder" data-testid="holder">
          <T t={B.inControl!} lang={lang} />: <strong>{holder ? (inControl ? `${holder.name} (${B.you![lang]})` : holder.name) : B.nobody![lang]}</strong>
        </span>
        {!inControl && (
          <button type="button" className="remote__button" onClick={() => void send('control:request', {})} disabled={state.controllerId !== null}>
            <T t={B.takeControl!} lang={lang} />
          </button>
        )}
        {inControl && others.length > 0 && (
          <span className="remote__handover">
            <T t={B.handTo!} lang={lang} />
            {others.map((p) => (
              <button key={p.id} type="button" className="remote__button" onClick={() => void send('control:handover', { to: p.id })}>
                {p.name}
              </button>
            ))}
          </span>
        )}
      </header>
      {error && <Refusal error={error} lang={lang} />}
      <p className="remote__on-wall" data-testid="on-wall">
        <T t={B.onWall!} lang={lang} />:{' '}
        <strong>
          {state.mode === 'attract' ? B.attract![lang] : `${state.step + 1} / ${steps.length} · ${shownStep?.title[lang] ?? ''}`}
          {state.blank ? ` · ${B.blank![lang]}` : ''}
        </strong>
      </p>

      <section className="remote__drive">
        <button type="button" className="remote__button remote__button--big" onClick={() => command({ kind: 'back' })} disabled={!inControl}>
          ← <T t={B.back!} lang={lang} />
        </button>
        <button type="button" className="remote__button remote__button--big remote__button--primary" data-testid="next" onClick={() => command({ kind: 'next' })} disabled={!inControl}>
          <T t={B.next!} lang={lang} /> →
        </button>
      </section>

      <section className="remote__switches">
        <div className="remote__group-buttons" role="group" aria-label={B.metric![lang]}>
          {METRIC_IDS.map((m) => (
            <button key={m} type="button" className="remote__button" aria-pressed={metric === m} onClick={() => command({ kind: 'metric', metric: m })} disabled={!inControl}>
              <T t={METRICS[m].label} lang={lang} />
            </button>
          ))}
        </div>
        <div className="remote__group-buttons" role="group" aria-label={B.language![lang]}>
          {(['zh', 'en'] as const).map((l) => (
            <button key={l} type="button" className="remote__button" aria-pressed={state.lang === l} onClick={() => command({ kind: 'lang', lang: l })} disabled={!inControl}>
              {l === 'zh' ? '中文' : 'English'}
            </button>
          ))}
        </div>
        <div className="remote__group-buttons">
          <button type="button" className="remote__button" aria-pressed={state.blank} data-testid="blank" onClick={() => command({ kind: 'blank', blank: !state.blank })} disabled={!inControl}>
            <T t={state.blank ? B.unblank! : B.blank!} lang={lang} />
          </button>
          <button type="button" className="remote__button" data-testid="attract" onClick={() => command({ kind: 'attract' })} disabled={!inControl}>
            <T t={B.toAttract!} lang={lang} />
          </button>
        </div>
      </section>

      {list && list.length > 1 && (
        <label className="remote__story">
          <T t={B.story!} lang={lang} />
          <select value={story?.story.id ?? ''} onChange={(e) => command({ kind: 'goto', step: 0, storyId: e.target.value })} disabled={!inControl}>
            {list.map((s) => (
              <option key={s.id} value={s.id}>
                {s.title[lang]}
              </option>
            ))}
          </select>
        </label>
      )}

      <ol className="remote__steps">
        {steps.map((s, i) => {
          const current = state.mode === 'story' && state.step === i;
          return (
            <li key={s.id} data-current={current ? '1' : '0'}>
              <button type="button" className="remote__step" onClick={() => command({ kind: 'goto', step: i })} disabled={!inControl} aria-current={current ? 'step' : undefined}>
                <span className="remote__step-title">
                  {i + 1}. {s.title[lang]}
                </span>
                <span className="remote__step-notes">
                  <strong>{B.notes![lang]}:</strong> {s.notes[lang]}
                </span>
              </button>
            </li>
          );
        })}
      </ol>
    </main>
  );
}

function Refusal({ error, lang }: { error: { code: keyof typeof REFUSAL; detail: string }; lang: Lang }) {
  return (
    <p className="remote__error" role="alert" data-code={error.code}>
      <T t={REFUSAL[error.code]} lang={lang} />
      <span className="remote__detail">{error.detail}</span>
    </p>
  );
}
