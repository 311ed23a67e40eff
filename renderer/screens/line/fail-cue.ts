import { useEffect, useRef } from 'react';
import type { PortTile } from '../../../preload/contract';

type AudioContextCtor = new () => AudioContext;

let context: AudioContext | null = null;

function audioContext(): AudioContext | null {
  if (context) return context;
  const Ctor: AudioContextCtor | undefined = (window as Window & { AudioContext?: AudioContextCtor }).AudioContext;
  if (!Ctor) return null;
  try {
    context = new Ctor();
  } catch {
    return null;
  }
  return context;
}

/**
 * Browsers keep audio muted until the page gets a user gesture; the Start click is one, so the
 * screen primes the audio there and the first FAIL, minutes later, can be heard.
 */
export function primeAudio(): void {
  try {
    void audioContext()
      ?.resume()
      .catch(() => undefined);
  } catch {
    // No audio on this station: the visible cue still works.
  }
}

/** Two short square-wave beeps: audible over a line's noise, and distinct from a PC's chime. */
export function failBeep(): void {
  try {
    const audio = audioContext();
    if (!audio) return;
    const gain = audio.createGain();
    gain.gain.value = 0.2;
    gain.connect(audio.destination);
    for (const offset of [0, 0.25]) {
      const oscillator = audio.createOscillator();
      oscillator.type = 'square';
      oscillator.frequency.value = 880;
      oscillator.connect(gain);
      oscillator.start(audio.currentTime + offset);
      oscillator.stop(audio.currentTime + offset + 0.15);
    }
  } catch {
    // Audio can be missing or blocked (no device, policy): never let that break the screen.
  }
}

/** Beeps when a tile turns FAIL; tiles that were already FAIL when the screen opened stay quiet. */
export function useFailCue(ports: readonly PortTile[]): void {
  const previous = useRef<Map<number, string> | null>(null);
  useEffect(() => {
    if (ports.length === 0) return;
    const before = previous.current;
    const newlyFailed = before !== null && ports.some((p) => p.state === 'fail' && before.get(p.index) !== 'fail');
    previous.current = new Map(ports.map((p) => [p.index, p.state]));
    if (newlyFailed) failBeep();
  }, [ports]);
}
