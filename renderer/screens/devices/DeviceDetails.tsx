import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Device } from '../../../preload/contract';
import { client } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { useErrorText } from '../../components/use-error-text';
import { useCan } from '../../state/auth-store';
import { useDevices } from '../../state/devices-store';
import { useNotices } from '../../state/notice-store';

export function DeviceDetails({ device, onClose }: { device: Device; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const show = useNotices((s) => s.show);
  const replace = useDevices((s) => s.replace);
  const [confirming, setConfirming] = useState(false);
  const dateFormat = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'medium' });
  const deleted = device.state === 'Deleted';
  const canManage = useCan('devices.manage');

  const setStatus = async (status: Device['status']) => {
    const result = await client().call('devices.setStatus', { id: device.id, status });
    if (!result.ok) return show('error', errorText(result.error));
    replace(result.value);
    show('success', t(status === 'Enabled' ? 'devices.enabled' : 'devices.disabled', { name: device.name }));
  };
  const remove = async () => {
    setConfirming(false);
    const result = await client().call('devices.delete', { id: device.id });
    if (!result.ok) return show('error', errorText(result.error));
    show('success', t('devices.deleted', { name: device.name }));
    onClose();
  };

  return (
    <aside className="details" aria-labelledby="device-details-title" data-testid="device-details">
      <header className="details-header">
        <h2 id="device-details-title">{t('devices.details.title', { name: device.name })}</h2>
        <button type="button" className="icon-button" onClick={onClose} aria-label={t('common.close')}>
          ×
        </button>
      </header>
      <dl className="details-list">
        <dt>{t('devices.details.id')}</dt>
        <dd className="mono">{device.id}</dd>
        <dt>{t('devices.details.description')}</dt>
        <dd>{device.description || '—'}</dd>
        <dt>{t('devices.details.group')}</dt>
        <dd>{device.groupName}</dd>
        <dt>{t('devices.details.state')}</dt>
        <dd>{t(`states.${device.state}`)}</dd>
        <dt>{t('devices.details.status')}</dt>
        <dd data-testid="details-status">{t(`statuses.${device.status}`)}</dd>
        <dt>{t('devices.details.attributes')}</dt>
        <dd>
          {Object.keys(device.attributes).length === 0 ? (
            t('devices.details.noAttributes')
          ) : (
            <ul className="attribute-list">
              {Object.entries(device.attributes).map(([k, v]) => (
                <li key={k}>
                  <span className="mono">{k}</span> = <span className="mono">{v}</span>
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>{t('devices.details.created')}</dt>
        <dd>{dateFormat.format(new Date(device.createdAt))}</dd>
        <dt>{t('devices.details.updated')}</dt>
        <dd>{dateFormat.format(new Date(device.updatedAt))}</dd>
        <dt>{t('devices.details.lastSeen')}</dt>
        <dd>{device.lastSeenAt ? dateFormat.format(new Date(device.lastSeenAt)) : t('common.never')}</dd>
      </dl>
      {deleted ? (
        <p className="help">{t('devices.details.deleted')}</p>
      ) : canManage ? (
        <div className="details-actions">
          {device.status === 'Enabled' ? (
            <button type="button" onClick={() => void setStatus('Disabled')}>
              {t('devices.details.disable')}
            </button>
          ) : (
            <button type="button" onClick={() => void setStatus('Enabled')}>
              {t('devices.details.enable')}
            </button>
          )}
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            {t('devices.details.delete')}
          </button>
        </div>
      ) : null}
      <ConfirmDialog
        open={confirming}
        title={t('devices.details.delete')}
        message={t('devices.details.confirmDelete', { name: device.name })}
        confirmLabel={t('common.delete')}
        onCancel={() => setConfirming(false)}
        onConfirm={() => void remove()}
      />
    </aside>
  );
}
