/** Loads data for a page, again every `pollMs` while `keepPolling(data)` says the thing is still moving. */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";

export interface Loaded<T> {
  data: T | null;
  error: Error | null;
  reload: () => void;
}

export function useLoad<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
  poll?: { everyMs: number; while: (data: T) => boolean },
): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    load().then(
      (value) => {
        if (!live.current) return;
        setData(value);
        setError(null);
        if (poll?.while(value)) timer = setTimeout(reload, poll.everyMs);
      },
      (e: unknown) => {
        if (live.current) setError(e instanceof Error ? e : new Error(String(e)));
      },
    );
    return () => {
      live.current = false;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [...deps, tick]);
  return { data, error, reload };
}
