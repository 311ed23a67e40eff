import { useEffect, useState } from 'react';
import type { PolicyBody, PolicyPreview, StationErrorShape } from '../../../preload/contract';
import { client } from '../../api/client';

export interface PreviewSample {
  deviceName: string;
  attributes: Record<string, string>;
}

export interface PreviewState {
  preview: PolicyPreview | null;
  error: StationErrorShape | null;
  /** A request is waiting for its pause or its answer. */
  pending: boolean;
  /** The shown preview was made for an earlier version of the body or sample. */
  stale: boolean;
}

const debounceMs = 300;

/**
 * Asks the station what the policy would issue for the sample, after a pause in typing. Only the
 * latest request may land; while the body or sample is incomplete the last preview stays, marked stale.
 */
export function usePolicyPreview(body: PolicyBody | null, sample: PreviewSample | null): PreviewState {
  const request = body && sample ? JSON.stringify({ body, sample }) : null;
  const [answered, setAnswered] = useState<{
    request: string;
    preview: PolicyPreview | null;
    error: StationErrorShape | null;
  } | null>(null);

  useEffect(() => {
    if (!request) return;
    let current = true;
    const timer = setTimeout(() => {
      const input = JSON.parse(request) as { body: PolicyBody; sample: PreviewSample };
      void client()
        .call('policies.preview', input)
        .then((result) => {
          if (!current) return;
          setAnswered((previous) =>
            result.ok
              ? { request, preview: result.value, error: null }
              : { request, preview: previous?.preview ?? null, error: result.error },
          );
        });
    }, debounceMs);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [request]);

  const upToDate = answered !== null && answered.request === request;
  return {
    preview: answered?.preview ?? null,
    error: upToDate ? answered.error : null,
    pending: request !== null && !upToDate,
    stale: !upToDate || answered?.error !== null,
  };
}
