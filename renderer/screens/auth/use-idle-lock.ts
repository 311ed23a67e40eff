import { useEffect } from 'react';

const activity = ['keydown', 'pointerdown'] as const;

/**
 * Calls `lock` after `seconds` without a key press or a pointer press. The station runs its own
 * timer on calls; this one also covers a person reading a screen that makes no calls, and puts
 * the lock screen up at once instead of at the next refused call. `seconds` null: not running
 * (the session is locked already).
 */
export function useIdleLock(seconds: number | null, lock: () => void): void {
  useEffect(() => {
    if (seconds === null) return;
    let timer = setTimeout(lock, seconds * 1000);
    const restart = () => {
      clearTimeout(timer);
      timer = setTimeout(lock, seconds * 1000);
    };
    for (const name of activity) window.addEventListener(name, restart, { capture: true, passive: true });
    return () => {
      clearTimeout(timer);
      for (const name of activity) window.removeEventListener(name, restart, { capture: true });
    };
  }, [seconds, lock]);
}
