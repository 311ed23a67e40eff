import { useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useDevices } from '../../state/devices-store';

const rowHeight = 44;

/**
 * Only the rows on screen exist in the DOM, so 100,000 devices scroll like 100. The grid holds
 * focus itself; arrows move the selection and Enter opens the details.
 */
export function DeviceTable({ onOpen }: { onOpen: (id: string) => void }) {
  const { t, i18n } = useTranslation();
  const { items, nextCursor, loading, selectedId, select, loadMore } = useDevices();
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: items.length + (nextCursor ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 10,
  });
  const virtualRows = virtualizer.getVirtualItems();
  const lastVisible = virtualRows.at(-1)?.index ?? 0;

  useEffect(() => {
    if (nextCursor && !loading && lastVisible >= items.length - 20) void loadMore();
  }, [lastVisible, items.length, nextCursor, loading, loadMore]);

  const selectedIndex = items.findIndex((d) => d.id === selectedId);
  const moveTo = (index: number) => {
    const device = items[Math.max(0, Math.min(items.length - 1, index))];
    if (!device) return;
    select(device.id);
    virtualizer.scrollToIndex(items.indexOf(device), { align: 'auto' });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(selectedIndex + 1),
      ArrowUp: () => moveTo(selectedIndex - 1),
      PageDown: () => moveTo(selectedIndex + 10),
      PageUp: () => moveTo(selectedIndex - 10),
      Home: () => moveTo(0),
      End: () => moveTo(items.length - 1),
      Enter: () => {
        if (selectedId) onOpen(selectedId);
      },
    };
    const action = keys[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  };
  const dateFormat = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'short', timeStyle: 'short' });

  return (
    <div
      className="grid"
      role="grid"
      aria-label={t('devices.tableLabel')}
      aria-rowcount={items.length + 1}
      aria-activedescendant={selectedId ? `device-row-${selectedId}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
      data-testid="device-table"
    >
      <div className="grid-row grid-head" role="row" aria-rowindex={1}>
        <span role="columnheader">{t('devices.colName')}</span>
        <span role="columnheader">{t('devices.colGroup')}</span>
        <span role="columnheader">{t('devices.colState')}</span>
        <span role="columnheader">{t('devices.colStatus')}</span>
        <span role="columnheader">{t('devices.colAttributes')}</span>
        <span role="columnheader">{t('devices.colCreated')}</span>
      </div>
      <div className="grid-body" ref={scrollRef}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualRows.map((row) => {
            const device = items[row.index];
            const style = { height: rowHeight, transform: `translateY(${row.start}px)` };
            if (!device) {
              return (
                <div key="more" className="grid-row grid-more" role="row" style={style}>
                  <span role="gridcell">{t('devices.loadingMore')}</span>
                </div>
              );
            }
            return (
              <div
                key={device.id}
                id={`device-row-${device.id}`}
                className={`grid-row${device.id === selectedId ? ' selected' : ''}`}
                role="row"
                aria-rowindex={row.index + 2}
                aria-selected={device.id === selectedId}
                data-testid="device-row"
                style={style}
                onClick={() => select(device.id)}
                onDoubleClick={() => onOpen(device.id)}
              >
                <span role="gridcell" className="cell-name">
                  {device.name}
                </span>
                <span role="gridcell">{device.groupName}</span>
                <span role="gridcell">
                  <span className={`badge state-${device.state}`}>{t(`states.${device.state}`)}</span>
                </span>
                <span role="gridcell">
                  <span className={`badge status-${device.status}`} data-testid="device-status">
                    {t(`statuses.${device.status}`)}
                  </span>
                </span>
                <span role="gridcell" className="cell-attributes">
                  {Object.entries(device.attributes)
                    .map(([k, v]) => `${k}=${v}`)
                    .join('  ')}
                </span>
                <span role="gridcell">{dateFormat.format(new Date(device.createdAt))}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
