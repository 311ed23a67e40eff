import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Device } from '../../../preload/contract';
import { client } from '../../api/client';
import { useErrorText } from '../../components/use-error-text';
import { useDevices } from '../../state/devices-store';
import { useCan } from '../../state/auth-store';
import { useGroups } from '../../state/groups-store';
import { DeviceDetails } from './DeviceDetails';
import { DeviceFilters } from './DeviceFilters';
import { DeviceTable } from './DeviceTable';
import { RegisterDeviceDialog } from './RegisterDeviceDialog';

function isTyping(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
  );
}

export function DevicesScreen() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const { items, total, filters, error, reload } = useDevices();
  const loadGroups = useGroups((s) => s.load);
  const groups = useGroups((s) => s.groups);
  const [registering, setRegistering] = useState(false);
  // Without these the station would refuse (and audit) the call: do not offer it.
  const canSeeGroups = useCan('deviceGroups.view');
  const canRegister = useCan('devices.create');
  const [openId, setOpenId] = useState<string | null>(null);
  const [opened, setOpened] = useState<Device | null>(null);

  // The details panel keeps its device even when a change moves it out of the loaded rows or
  // the current filter; it re-reads the device whenever the list reloads.
  useEffect(() => {
    if (!openId) return setOpened(null);
    let current = true;
    void client()
      .call('devices.get', { id: openId })
      .then((result) => {
        if (current) setOpened(result.ok ? result.value : null);
      });
    return () => {
      current = false;
    };
  }, [openId, items]);
  const filtered = Object.values(filters).some((v) => v !== '');

  useEffect(() => {
    if (canSeeGroups) void loadGroups();
    void reload();
  }, [loadGroups, reload, canSeeGroups]);

  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (isTyping(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (document.querySelector('dialog[open]')) return;
      if (event.key === '/') {
        event.preventDefault();
        document.getElementById('device-search')?.focus();
      } else if (canRegister && (event.key === 'n' || event.key === 'N')) {
        event.preventDefault();
        setRegistering(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [canRegister]);

  return (
    <section className="screen screen-devices" aria-labelledby="devices-title">
      <header className="screen-header">
        <h1 id="devices-title">{t('devices.title')}</h1>
        <span className="count" data-testid="device-count">
          {t('devices.count', { shown: items.length, total })}
        </span>
        {canRegister ? (
          <button type="button" className="primary" onClick={() => setRegistering(true)}>
            {t('devices.register')}
          </button>
        ) : null}
      </header>
      <DeviceFilters />
      <p className="help keyboard-hint">{t('devices.keyboardHint')}</p>
      {error ? (
        <p className="form-error" role="alert">
          {errorText(error)}
        </p>
      ) : null}
      <div className="devices-body">
        {total === 0 && items.length === 0 ? (
          <p className="empty-state" data-testid="devices-empty">
            {filtered
              ? t('devices.emptyFiltered')
              : groups.length === 0
                ? t('devices.emptyNoGroups')
                : t('devices.empty')}
          </p>
        ) : (
          <DeviceTable onOpen={setOpenId} />
        )}
        {opened ? <DeviceDetails device={opened} onClose={() => setOpenId(null)} /> : null}
      </div>
      {registering ? (
        <RegisterDeviceDialog defaultGroupId={filters.groupId} onClose={() => setRegistering(false)} />
      ) : null}
    </section>
  );
}
