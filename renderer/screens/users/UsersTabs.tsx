import { type KeyboardEvent, useRef } from 'react';
import { useTranslation } from 'react-i18next';

export const userTabs = ['users', 'roles', 'tokens'] as const;
export type UserTab = (typeof userTabs)[number];

interface UsersTabsProps {
  tabs: readonly UserTab[];
  current: UserTab;
  onSelect: (tab: UserTab) => void;
}

export const tabId = (tab: UserTab) => `users-tab-${tab}`;
export const panelId = (tab: UserTab) => `users-panel-${tab}`;

/** The WAI-ARIA tabs pattern: one tab in the Tab order, arrow keys move between them. */
export function UsersTabs({ tabs, current, onSelect }: UsersTabsProps) {
  const { t } = useTranslation();
  const refs = useRef(new Map<UserTab, HTMLButtonElement>());

  const onKeyDown = (event: KeyboardEvent) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = tabs[(tabs.indexOf(current) + step + tabs.length) % tabs.length];
    if (!next) return;
    onSelect(next);
    refs.current.get(next)?.focus();
  };

  // The stylesheet has no tab rule yet: the filter row lays the tabs out, "primary" marks the current one.
  return (
    <div className="filters" role="tablist" aria-label={t('users.tabsLabel')} onKeyDown={onKeyDown}>
      {tabs.map((tab) => (
        <button
          key={tab}
          ref={(el) => {
            if (el) refs.current.set(tab, el);
            else refs.current.delete(tab);
          }}
          type="button"
          role="tab"
          id={tabId(tab)}
          aria-selected={tab === current}
          aria-controls={panelId(tab)}
          tabIndex={tab === current ? 0 : -1}
          className={tab === current ? 'primary' : ''}
          data-testid={tabId(tab)}
          onClick={() => onSelect(tab)}
        >
          {t(`users.tabs.${tab}`)}
        </button>
      ))}
    </div>
  );
}
