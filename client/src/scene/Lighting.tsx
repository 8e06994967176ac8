/**
 * The light of Shanghai's time of day (scene/timeOfDay.ts): sun and sky, background and fog, and the night share
 * that lights the buildings' windows. It follows the time the live values describe (`live.tsMs`, the district clock,
 * so a replay or a fast simulator is lit for its own hour), or the wall clock before the first frame. Recomputed
 * once per district minute, inside a frame the scene is drawing anyway: no extra frames, no allocation per frame.
 */
import { useFrame, useThree } from '@react-three/fiber';
import { useRef } from 'react';
import { Color, Fog, LinearSRGBColorSpace, type DirectionalLight, type HemisphereLight } from 'three';
import { live } from '../state/store.ts';
import { buildingLighting } from './buildingMaterial.ts';
import { createLighting, lightingAt } from './timeOfDay.ts';

const SUN_DISTANCE = 6000;
const light = createLighting();

export function Lighting() {
  const hemi = useRef<HemisphereLight>(null);
  const sun = useRef<DirectionalLight>(null);
  const scene = useThree((s) => s.scene);
  const lastMinute = useRef(Number.NaN);

  useFrame(() => {
    const ts = live.hasFrame && live.tsMs > 0 ? live.tsMs : Date.now();
    const minute = Math.floor(ts / 60_000);
    if (minute === lastMinute.current || !hemi.current || !sun.current) return;
    lastMinute.current = minute;
    lightingAt(ts, light);
    hemi.current.color.setRGB(light.skyColour[0], light.skyColour[1], light.skyColour[2], LinearSRGBColorSpace);
    hemi.current.groundColor.setRGB(light.groundColour[0], light.groundColour[1], light.groundColour[2], LinearSRGBColorSpace);
    hemi.current.intensity = light.hemiIntensity;
    sun.current.position.set(light.sunDir[0] * SUN_DISTANCE, light.sunDir[1] * SUN_DISTANCE, light.sunDir[2] * SUN_DISTANCE);
    sun.current.color.setRGB(light.sunColour[0], light.sunColour[1], light.sunColour[2], LinearSRGBColorSpace);
    sun.current.intensity = light.sunIntensity;
    if (scene.background instanceof Color) scene.background.setRGB(light.background[0], light.background[1], light.background[2], LinearSRGBColorSpace);
    if (scene.fog instanceof Fog) scene.fog.color.setRGB(light.background[0], light.background[1], light.background[2], LinearSRGBColorSpace);
    buildingLighting.uNight.value = light.night;
    document.body.dataset.dayPhase = light.phase;
  });

  return (
    <>
      <hemisphereLight ref={hemi} />
      <directionalLight ref={sun} />
    </>
  );
}
