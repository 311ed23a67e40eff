import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncStatus } from '../../preload/contract';
import { client } from '../api/client';
import { useCan } from '../state/auth-store';

/**
 * Whether this station's records are reaching the central server: connection, how many wait,
 * when it last worked. Shown as text and a shape, not colour alone; details in the tooltip.
 */
export function SyncIndicator() {
  const { t, i18n } = useTranslation();
  const canSyncNow = useCan('settings.manage');
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    void client()
      .call('sync.status', {})
      .then((answer) => {
        if (live && answer.ok) setStatus(answer.value);
      });
    const off = client().on('sync.changed', (next) => setStatus(next));
    return () => {
      live = false;
      off();
    };
  }, []);

  if (!status) return null;
  const time = (iso: string | null) =>
    iso ? new Date(iso).toLocaleTimeString(i18n.language, { hour: '2-digit', minute: '2-digit' }) : t('sync.never');
  const summary =
    status.connection === 'not-enrolled'
      ? t('sync.notEnrolled', { count: status.queueLength })
      : t('sync.summary', {
          state: t(`sync.connection.${status.connection}`),
          count: status.queueLength,
          last: time(status.lastSuccessAt),
        });
  const details = [status.serverUrl, status.lastError ? `${status.lastError.code}: ${status.lastError.message}` : null]
    .concat(status.configWarnings)
    .filter((line): line is string => Boolean(line))
    .join('\n');

  const syncNow = async () => {
    setBusy(true);
    const answer = await client().call('sync.now', {});
    if (answer.ok) setStatus(answer.value);
    setBusy(false);
  };

  return (
    <span className="sync-indicator" data-testid="sync-indicator" data-connection={status.connection} title={details}>
      <span aria-hidden="true" className="sync-mark">
        {status.connection === 'online' ? '●' : status.connection === 'not-enrolled' ? '–' : '○'}
      </span>
      <span data-testid="sync-summary">{summary}</span>
      {canSyncNow && status.connection !== 'not-enrolled' ? (
        <button type="button" data-testid="sync-now-button" disabled={busy} onClick={() => void syncNow()}>
          {t('sync.now')}
        </button>
      ) : null}
    </span>
  );
}
