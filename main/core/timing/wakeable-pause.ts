/**
 * A pause a loop takes between rounds that another part of the code can cut short: stopping a
 * worker, or telling it there is work now, must not wait out the rest of the interval. One pause
 * at a time; waking when none is under way does nothing.
 */
export interface WakeablePause {
  pause(ms: number): Promise<void>;
  wake(): void;
}

export function createWakeablePause(): WakeablePause {
  let wake: (() => void) | null = null;
  return {
    pause: (ms) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
        wake = done;
      }),
    wake: () => wake?.(),
  };
}
