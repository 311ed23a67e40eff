import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { deviceStatuses, lifecycleStates } from '../../../preload/contract';
import { attributeFilterValid, emptyFilters, useDevices } from '../../state/devices-store';
import { useGroups } from '../../state/groups-store';

/** Text filters apply after a pause in typing; selects apply at once. */
export function DeviceFilters() {
  const { t } = useTranslation();
  const filters = useDevices((s) => s.filters);
  const setFilters = useDevices((s) => s.setFilters);
  const groups = useGroups((s) => s.groups);
  const [search, setSearch] = useState(filters.search);
  const [attribute, setAttribute] = useState(filters.attribute);
  const attributeOk = attributeFilterValid(attribute);

  useEffect(() => {
    const timer = setTimeout(() => {
      if (search !== filters.search || attribute !== filters.attribute) setFilters({ search, attribute });
    }, 250);
    return () => clearTimeout(timer);
  }, [search, attribute, filters.search, filters.attribute, setFilters]);

  return (
    <div className="filters" role="search">
      <label className="field">
        <span>{t('devices.search')}</span>
        <input
          id="device-search"
          type="search"
          value={search}
          placeholder={t('devices.searchPlaceholder')}
          onChange={(e) => setSearch(e.target.value)}
        />
      </label>
      <label className="field">
        <span>{t('devices.filterGroup')}</span>
        <select name="group" value={filters.groupId} onChange={(e) => setFilters({ groupId: e.target.value })}>
          <option value="">{t('common.any')}</option>
          {groups.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t('devices.filterState')}</span>
        <select
          name="state"
          value={filters.state}
          onChange={(e) => setFilters({ state: e.target.value as (typeof lifecycleStates)[number] | '' })}
        >
          <option value="">{t('common.any')}</option>
          {lifecycleStates.map((s) => (
            <option key={s} value={s}>
              {t(`states.${s}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t('devices.filterStatus')}</span>
        <select
          name="status"
          value={filters.status}
          onChange={(e) => setFilters({ status: e.target.value as (typeof deviceStatuses)[number] | '' })}
        >
          <option value="">{t('common.any')}</option>
          {deviceStatuses.map((s) => (
            <option key={s} value={s}>
              {t(`statuses.${s}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="field field-wide">
        <span>{t('devices.filterAttribute')}</span>
        <input
          name="attribute"
          value={attribute}
          placeholder={t('devices.filterAttributePlaceholder')}
          aria-invalid={!attributeOk}
          onChange={(e) => setAttribute(e.target.value)}
        />
        <span className="field-error">{attributeOk ? null : t('devices.filterAttributeInvalid')}</span>
      </label>
      <button
        type="button"
        className="filters-clear"
        onClick={() => {
          setSearch('');
          setAttribute('');
          setFilters(emptyFilters);
        }}
      >
        {t('devices.clearFilters')}
      </button>
    </div>
  );
}
